// Quill 2 composer. Quill keeps its own Delta model and picks up native DOM input through a
// MutationObserver, so getText() first asks Quill to process pending mutations.
import Quill from 'quill';
import type { EditorFactory } from '../editor.ts';

export const createQuillEditor: EditorFactory = (host, onEnter) => {
  const container = document.createElement('div');
  container.id = 'editor';
  container.className = 'editor quill-input';
  host.append(container);
  const quill = new Quill(container, {
    theme: undefined,
    placeholder: 'Send a message',
    formats: [],
    modules: {
      toolbar: false,
      keyboard: {
        // Configuration bindings run before Quill's own Enter handling.
        bindings: {
          siteSend: {
            key: 'Enter',
            shiftKey: false,
            handler: () => {
              onEnter();
              return false;
            },
          },
        },
      },
    },
  });
  const input = container.querySelector<HTMLElement>('.ql-editor') ?? container;
  return {
    input,
    getText: () => {
      quill.update('user');
      return quill.getText().replace(/\n$/, '');
    },
    clear: () => {
      quill.setText('', 'user');
    },
    focus: () => quill.focus(),
  };
};
