// Bundle entry: the chat page with the slate composer.
import { startChat } from '../chat-app.ts';
import { createSlateEditor } from '../editors/slate.ts';

startChat(createSlateEditor);
