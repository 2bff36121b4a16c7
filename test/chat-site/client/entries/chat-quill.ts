// Bundle entry: the chat page with the quill composer.
import { startChat } from '../chat-app.ts';
import { createQuillEditor } from '../editors/quill.ts';

startChat(createQuillEditor);
