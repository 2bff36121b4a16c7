// Bundle entry: the chat page with the lexical composer.
import { startChat } from '../chat-app.ts';
import { createLexicalEditor } from '../editors/lexical.ts';

startChat(createLexicalEditor);
