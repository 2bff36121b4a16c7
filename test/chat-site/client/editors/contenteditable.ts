// Plain contenteditable <div> composer, as Telegram Web uses: the DOM is the model.
import { isSendEnter, type EditorFactory } from '../editor.ts';

export const createContentEditableEditor: EditorFactory = (host, onEnter) => {
  const div = document.createElement('div');
  div.id = 'editor';
  div.className = 'editor input-message-input';
  div.contentEditable = 'true';
  div.setAttribute('role', 'textbox');
  div.setAttribute('aria-multiline', 'true');
  div.dataset.placeholder = 'Message';
  div.addEventListener('keydown', (e) => {
    if (isSendEnter(e)) {
      e.preventDefault();
      onEnter();
    }
  });
  // Like Telegram, pasted rich content is reduced to plain text.
  div.addEventListener('paste', (e) => {
    const text = e.clipboardData?.getData('text/plain');
    if (text === undefined) return;
    e.preventDefault();
    document.execCommand('insertText', false, text);
  });
  host.append(div);
  return {
    input: div,
    // innerText turns <br> and block boundaries into newlines; a lone trailing <br> is dropped.
    getText: () => div.innerText.replace(/\n$/, ''),
    clear: () => {
      div.replaceChildren();
    },
    focus: () => div.focus(),
  };
};
