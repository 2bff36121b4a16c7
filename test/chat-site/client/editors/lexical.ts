// Lexical plain-text composer, as WhatsApp Web and Messenger use. Lexical owns the model:
// it handles beforeinput itself, so text only counts once Lexical's state has it.
import {
  $createParagraphNode,
  $getRoot,
  COMMAND_PRIORITY_HIGH,
  KEY_ENTER_COMMAND,
  createEditor,
} from 'lexical';
import { registerPlainText } from '@lexical/plain-text';
import { createEmptyHistoryState, registerHistory } from '@lexical/history';
import { isSendEnter, type EditorFactory } from '../editor.ts';

export const createLexicalEditor: EditorFactory = (host, onEnter) => {
  const root = document.createElement('div');
  root.id = 'editor';
  root.className = 'editor lexical-input';
  root.contentEditable = 'true';
  root.setAttribute('role', 'textbox');
  root.setAttribute('aria-multiline', 'true');
  host.append(root);
  const editor = createEditor({
    namespace: 'chat-composer',
    onError: (err) => {
      console.error('lexical', err);
    },
  });
  editor.setRootElement(root);
  registerPlainText(editor);
  registerHistory(editor, createEmptyHistoryState(), 300);
  editor.registerCommand(
    KEY_ENTER_COMMAND,
    (event: KeyboardEvent | null) => {
      if (!event || !isSendEnter(event)) return false; // Shift+Enter: plain-text line break
      event.preventDefault();
      onEnter();
      return true;
    },
    COMMAND_PRIORITY_HIGH,
  );
  return {
    input: root,
    // editor.read flushes pending updates first, so just-inserted text is included.
    getText: () => editor.read(() => $getRoot().getTextContent()),
    clear: () => {
      editor.update(
        () => {
          const r = $getRoot();
          r.clear();
          const p = $createParagraphNode();
          r.append(p);
          p.select();
        },
        { discrete: true },
      );
    },
    focus: () => editor.focus(),
  };
};
