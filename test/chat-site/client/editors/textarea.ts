// Plain <textarea> composer, as random-video-chat sites use.
import { isSendEnter, type EditorFactory } from '../editor.ts';

export const createTextareaEditor: EditorFactory = (host, onEnter) => {
  const ta = document.createElement('textarea');
  ta.id = 'editor';
  ta.className = 'editor';
  ta.rows = 2;
  ta.placeholder = 'Type a message';
  ta.addEventListener('keydown', (e) => {
    if (isSendEnter(e)) {
      e.preventDefault();
      onEnter();
    }
  });
  host.append(ta);
  return {
    input: ta,
    getText: () => ta.value,
    clear: () => {
      ta.value = '';
    },
    focus: () => ta.focus(),
  };
};
