// How the chat site turns a message's text into HTML: the transformations real chat sites apply
// (markdown, auto-linking, typographer, emoji shortcuts, whitespace collapsing, zero-width
// stripping, long words split across elements). Pure: no DOM, so unit tests run it in Node.
import MarkdownIt from 'markdown-it';
import { full as emojiPlugin } from 'markdown-it-emoji';

/** Words longer than this many code points are split into several <span class="chunk">. */
export const DEFAULT_CHUNK = 20;

export interface RenderOptions {
  chunk?: number;
}

const ZERO_WIDTH_RE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Whitespace collapsing and trimming as chat sites do before display. */
export function normalizeWhitespace(text: string): string {
  return text
    .replace(ZERO_WIDTH_RE, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00A0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escapes text and wraps each over-long unbroken word into fixed-size <span> chunks. */
export function splitLongWords(text: string, chunk: number = DEFAULT_CHUNK): string {
  return text
    .split(/(\s+)/)
    .map((part) => {
      const cps = Array.from(part); // code points: never split a surrogate pair
      if (/\s/.test(part) || cps.length <= chunk) return escapeHtml(part);
      let out = '';
      for (let i = 0; i < cps.length; i += chunk) {
        out += `<span class="chunk">${escapeHtml(cps.slice(i, i + chunk).join(''))}</span>`;
      }
      return out;
    })
    .join('');
}

type Markdown = InstanceType<typeof MarkdownIt>;

const HANDLE_RE = /^[A-Za-z0-9_]{1,32}/;

function createMarkdown(chunk: number): Markdown {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: true });
  md.use(emojiPlugin);
  // markdown-it turns fuzzy links off by default; chat sites link bare "example.com" too.
  md.linkify.set({ fuzzyLink: true, fuzzyEmail: true });
  // Social-site style mentions and hashtags become links too.
  for (const [prefix, base] of [['@', '/u/'], ['#', '/tag/']] as const) {
    md.linkify.add(prefix, {
      validate: (text: string, pos: number) => {
        const m = HANDLE_RE.exec(text.slice(pos));
        return m ? m[0].length : 0;
      },
      normalize: (match) => {
        match.url = base + encodeURIComponent(match.url.slice(1));
      },
    });
  }
  md.renderer.rules.text = (tokens, idx) => splitLongWords(tokens[idx]?.content ?? '', chunk);
  md.renderer.rules.code_inline = (tokens, idx) =>
    `<code>${splitLongWords(tokens[idx]?.content ?? '', chunk)}</code>`;
  const defaultLinkOpen =
    md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token) {
      token.attrSet('target', '_blank');
      token.attrSet('rel', 'noopener noreferrer nofollow');
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const cache = new Map<number, Markdown>();

/** Renders one chat message's text to the HTML placed inside its `.body` element. */
export function renderMessageHtml(text: string, opts: RenderOptions = {}): string {
  const chunk = Math.max(1, Math.floor(opts.chunk ?? DEFAULT_CHUNK));
  let md = cache.get(chunk);
  if (!md) {
    md = createMarkdown(chunk);
    cache.set(chunk, md);
  }
  return md.render(normalizeWhitespace(text)).trim();
}
