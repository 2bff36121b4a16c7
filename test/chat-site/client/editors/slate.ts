// Slate (slate-react on React) composer, as Discord uses. Slate owns the model and applies
// beforeinput itself, so text only counts once Slate's document has it.
//
// Browsers fire no beforeinput for document.execCommand (only input), so stock Slate never sees
// such an insertion: the DOM changes, the model does not, and Send would send the old text. Like
// sites that must survive IMEs and extensions, this page notices an input event that had no
// beforeinput, reads the text back from the DOM and remounts the editor on that text.
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createEditor, Editor, Node, Transforms, type Descendant } from 'slate';
import { withHistory } from 'slate-history';
import { Editable, ReactEditor, Slate, withReact } from 'slate-react';
import { isSendEnter, type EditorFactory } from '../editor.ts';

interface ReactKeyEvent {
  nativeEvent: KeyboardEvent;
  preventDefault(): void;
}

function paragraphs(text: string): Descendant[] {
  return text.split('\n').map((line) => ({ children: [{ text: line }] }) as Descendant);
}

/** The text a user sees in Slate's DOM, one line per block, without placeholder or filler. */
function domText(editable: HTMLElement): string {
  const clone = editable.cloneNode(true) as HTMLElement;
  for (const el of clone.querySelectorAll('[data-slate-placeholder], [contenteditable="false"]')) el.remove();
  const blocks = [...clone.children].filter((el) => el.getAttribute('data-slate-node') === 'element');
  const stray = [...clone.childNodes].some((n) => !blocks.includes(n as Element) && (n.textContent ?? '') !== '');
  const text = blocks.length > 0 && !stray ? blocks.map((b) => b.textContent ?? '').join('\n') : (clone.textContent ?? '');
  return text.replace(/\uFEFF/g, '');
}

export const createSlateEditor: EditorFactory = (host, onEnter) => {
  const mount = document.createElement('div');
  mount.className = 'slate-mount';
  host.append(mount);
  const editor = withHistory(withReact(createEditor()));
  const root = createRoot(mount);
  let generation = 0;

  const render = (value: Descendant[]): void => {
    generation++;
    flushSync(() =>
      root.render(
        createElement(
          Slate,
          { key: generation, editor, initialValue: value },
          createElement(Editable, {
            id: 'editor',
            className: 'editor slate-input',
            placeholder: 'Message #room',
            role: 'textbox',
            'aria-multiline': 'true',
            onKeyDown: (e: ReactKeyEvent) => {
              if (isSendEnter(e.nativeEvent)) {
                e.preventDefault();
                onEnter();
              }
            },
          }),
        ),
      ),
    );
  };
  render(paragraphs(''));

  const input = (): HTMLElement => mount.querySelector<HTMLElement>('[data-slate-editor]') ?? mount;

  let sawBeforeInput = false;
  mount.addEventListener('beforeinput', () => (sawBeforeInput = true), true);
  mount.addEventListener('input', () => {
    const handledBySlate = sawBeforeInput;
    sawBeforeInput = false;
    if (handledBySlate) return;
    const text = domText(input());
    if (text === editor.children.map((n) => Node.string(n)).join('\n')) return;
    render(paragraphs(text));
    Transforms.select(editor, Editor.end(editor, []));
    ReactEditor.focus(editor);
  });

  return {
    get input() {
      return input();
    },
    getText: () => editor.children.map((n) => Node.string(n)).join('\n'),
    clear: () => {
      Transforms.delete(editor, { at: { anchor: Editor.start(editor, []), focus: Editor.end(editor, []) } });
      Transforms.select(editor, Editor.start(editor, []));
    },
    focus: () => input().focus(),
  };
};
