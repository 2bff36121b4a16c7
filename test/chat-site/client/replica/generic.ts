// A made-up chat site that no Veil profile knows (generic mode): one room for everyone, a plain
// textarea (Enter sends), messages as list items marked only by their side, no names.
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createTextareaEditor } from '../editors/textarea.ts';
import type { DomMessage, ReplicaHooks } from './app.ts';
import { connectRoom } from './connection.ts';
import { h, htmlBody } from './dom.ts';
import { mountEditor } from './editor-mount.ts';

const log = h('ul', { class: 'talk-log scroll' });
const editorHost = h('div', { class: 'grow' });
document.body.append(h('div', { class: 'main-pane', style: 'height:100vh' }, h('h1', { text: 'PlainChat' }), log, h('form', { class: 'composer-row' }, editorHost)));

function item(m: ChatMessage): HTMLElement {
  const mine = m.author === conn.you;
  return h('li', { class: mine ? 'talk mine' : 'talk theirs', style: `text-align:${mine ? 'right' : 'left'}` }, htmlBody('p', {}, renderMessageHtml(m.text)));
}

const conn = connectRoom('plain.lobby', (f, c) => {
  if (f.t === 'welcome') log.replaceChildren(...c.messages.map(item));
  else if (f.t === 'msg') log.append(item(f.msg));
});
const composer = mountEditor(createTextareaEditor, editorHost, (text) => {
  conn.send(text);
  return true;
}, { placeholder: 'Say something', 'aria-label': 'Message' });

const hooks: ReplicaHooks = {
  page: 'generic',
  get ready() {
    return conn.ready;
  },
  get you() {
    return conn.you;
  },
  chat: 'lobby',
  chats: () => [{ key: 'lobby', title: 'Lobby' }],
  openChat: () => undefined,
  messages: () => conn.messages.map((m) => ({ id: m.id, author: m.author, mine: m.author === conn.you, text: m.text })),
  dom: (): DomMessage[] =>
    [...log.querySelectorAll<HTMLElement>('li')].map((li) => ({ text: li.innerText.trim(), mark: li.classList.contains('mine') ? 'out' : 'in' })),
  send: (text: string) => conn.send(text),
  submit: () => composer.submit(),
  editorText: () => composer.editor.getText(),
};
window.__replica = hooks;
