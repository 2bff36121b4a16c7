// markdown-it-emoji 3 ships no type declarations; only what render.ts uses is declared.
declare module 'markdown-it-emoji' {
  import type MarkdownIt from 'markdown-it';
  export interface EmojiOptions {
    defs?: Record<string, string>;
    shortcuts?: Record<string, string | string[]>;
    enabled?: string[];
  }
  export const full: (md: MarkdownIt, options?: EmojiOptions) => void;
  export const light: (md: MarkdownIt, options?: EmojiOptions) => void;
  export const bare: (md: MarkdownIt, options?: EmojiOptions) => void;
}
