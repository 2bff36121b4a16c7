// Bundle entry: the chat page with the textarea composer.
import { startChat } from '../chat-app.ts';
import { createTextareaEditor } from '../editors/textarea.ts';

startChat(createTextareaEditor);
