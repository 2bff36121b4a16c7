// What the chat core needs from a composer editor. Each real editor library is wrapped so its own
// model (not the DOM) is the source of the text that gets sent, as on the real sites.
export interface SiteEditor {
  /** The element that takes focus and receives typing (textarea or contenteditable root). */
  readonly input: HTMLElement;
  getText(): string;
  clear(): void;
  focus(): void;
}

/** Mounts an editor into host; onEnter is called for Enter without Shift (and not mid-IME). */
export type EditorFactory = (host: HTMLElement, onEnter: () => void) => SiteEditor;

export function isSendEnter(e: KeyboardEvent): boolean {
  return e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229;
}
