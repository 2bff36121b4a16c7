// Slate (slate-react on React) composer, as Discord uses. Slate owns the model and applies
// beforeinput itself, so text only counts once Slate's document has it.
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createEditor, Editor, Node, Transforms, type Descendant } from 'slate';
import { withHistory } from 'slate-history';
import { Editable, Slate, withReact } from 'slate-react';
import { isSendEnter, type EditorFactory } from '../editor.ts';

interface ReactKeyEvent {
  nativeEvent: KeyboardEvent;
  preventDefault(): void;
}

const EMPTY: Descendant[] = [{ children: [{ text: '' }] } as Descendant];

export const createSlateEditor: EditorFactory = (host, onEnter) => {
  const mount = document.createElement('div');
  mount.className = 'slate-mount';
  host.append(mount);
  const editor = withHistory(withReact(createEditor()));
  const root = createRoot(mount);
  flushSync(() =>
    root.render(
      createElement(
        Slate,
        { editor, initialValue: EMPTY },
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
  const input = (): HTMLElement => mount.querySelector<HTMLElement>('[data-slate-editor]') ?? mount;
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
