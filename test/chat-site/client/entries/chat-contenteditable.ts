// Bundle entry: the chat page with the contenteditable composer.
import { startChat } from '../chat-app.ts';
import { createContentEditableEditor } from '../editors/contenteditable.ts';

startChat(createContentEditableEditor);
