// Mounts one of the chat site's real editors (Lexical, Slate, Quill, contenteditable, textarea)
// inside a replica and gives it the attributes the real site puts on its composer.
import type { EditorFactory, SiteEditor } from '../editor.ts';

export interface MountedEditor {
  editor: SiteEditor;
  /** Takes the editor's text, sends it and clears the editor; false when there was nothing. */
  submit(): boolean;
}

export function mountEditor(
  factory: EditorFactory,
  host: HTMLElement,
  send: (text: string) => boolean,
  attrs: Record<string, string> = {},
  opts: { keepId?: boolean } = {},
): MountedEditor {
  const submit = (): boolean => {
    const text = editor.getText();
    if (text.trim() === '' || !send(text)) return false;
    editor.clear();
    editor.focus();
    return true;
  };
  const editor = factory(host, () => void submit());
  // Slate re-renders its element: set the attributes on whatever element is current.
  const apply = (): void => {
    const el = editor.input;
    for (const [k, v] of Object.entries(attrs)) if (el.getAttribute(k) !== v) el.setAttribute(k, v);
    // The chat site's editors are all #editor; a real site's composer has its own id or none.
    if (!opts.keepId) for (const e of host.querySelectorAll('#editor')) e.removeAttribute('id');
  };
  apply();
  new MutationObserver(apply).observe(host, { childList: true, subtree: true });
  return { editor, submit };
}
