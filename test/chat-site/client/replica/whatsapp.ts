// WhatsApp Web replica (web.whatsapp.com). Structure from public DOM evidence (README.md):
// #side with the chat list (role=grid "Chat list", rows with span[title]), #main with a header
// naming the chat, the message panel and a Lexical composer in `#main footer`; messages
// .message-in / .message-out inside div[data-id="false_<jid>_<id>" | "true_<jid>_<id>"], text in
// span.selectable-text.copyable-text, data-pre-plain-text "[time, date] Name: " where one's own
// name is "You". The URL is always "/": switching chats never changes it.
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createLexicalEditor } from '../editors/lexical.ts';
import { ReplicaChat, type ChatEntry, type DomMessage } from './app.ts';
import { clock, h, htmlBody, numericId } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const GROUPS = [{ key: 'g:friends', title: 'Friends' }];

const app = h('div', { id: 'app' });
const grid = h('div', { role: 'grid', 'aria-label': 'Chat list', 'aria-rowcount': 0 });
const side = h('div', { id: 'side', class: 'side-pane' }, h('header', {}, h('span', { text: 'Chats' })), h('div', { id: 'pane-side' }, grid));
const mainHost = h('div', { class: 'main-pane' }, h('div', { id: 'intro', text: 'Send and receive messages without keeping your phone online.' }));
app.append(h('div', { class: 'row-layout two' }, side, mainHost));
document.body.append(app);

let panel: HTMLElement | null = null;
let composer: MountedEditor | null = null;

function jid(entry: ChatEntry): string {
  return entry.peer ? `${numericId(entry.peer)}@c.us` : `${numericId(entry.key)}-1600000000@g.us`;
}

function msgId(m: ChatMessage): string {
  return `3EB0${m.id.toString(16).toUpperCase().padStart(16, '0')}`;
}

function prePlain(m: ChatMessage, name: string): string {
  const d = new Date(m.at);
  return `[${clock(m.at)}, ${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}] ${name}: `;
}

function messageNode(entry: ChatEntry, m: ChatMessage): HTMLElement {
  const mine = chat.mine(m);
  const name = mine ? 'You' : m.author;
  const group = !entry.peer;
  // Group messages from others also name the participant at the end of the id.
  const id = `${mine}_${jid(entry)}_${msgId(m)}${group && !mine ? `_${numericId(m.author)}@c.us` : ''}`;
  const bubble = h(
    'div',
    { class: `${mine ? 'message-out' : 'message-in'} focusable-list-item${group && !mine ? ' _amkz' : ''}` },
    h(
      'div',
      { class: '_amk6' },
      h('span', { 'aria-label': `${name}:` }),
      group && !mine ? h('span', { dir: 'auto', class: '_ahxt', text: m.author }) : null,
      h(
        'div',
        { class: 'copyable-text', 'data-pre-plain-text': prePlain(m, name) },
        h('span', { class: 'selectable-text copyable-text', dir: 'ltr' }, htmlBody('span', {}, renderMessageHtml(m.text))),
      ),
      h('span', { class: 'msg-time', 'aria-hidden': 'true', text: clock(m.at) }),
    ),
  );
  return h('div', { role: 'row' }, h('div', { tabindex: -1, class: '_amjv', 'data-id': id }, h('div', { 'data-virtualized': 'false' }, bubble)));
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text);
  return true;
}

function openPane(entry: ChatEntry): void {
  mainHost.replaceChildren();
  panel = h('div', { role: 'application', 'data-scrolltracepolicy': 'wa.web.conversation.messages', 'data-testid': 'conversation-panel-body' });
  const editorHost = h('div', { class: 'grow lexical-rich-text-input' });
  const sendButton = h('button', { type: 'button', 'aria-label': 'Send', 'data-tab': '11' }, h('span', { 'data-icon': 'send', text: '➤' }));
  const main = h(
    'div',
    { id: 'main', class: 'main-pane' },
    h('header', {}, h('div', { class: 'avatar' }), h('div', {}, h('span', { dir: 'auto', title: entry.title, text: entry.title }))),
    h('div', { class: 'scroll copyable-area' }, panel),
    h('footer', {}, h('div', { class: 'copyable-area composer-row' }, editorHost, sendButton)),
  );
  mainHost.append(main);
  composer = mountEditor(createLexicalEditor, editorHost, sendToChat, {
    'aria-label': 'Type a message',
    'aria-placeholder': 'Type a message',
    'data-tab': '10',
  });
  sendButton.addEventListener('click', () => void composer?.submit());
}

function renderList(list: ChatEntry[]): void {
  grid.setAttribute('aria-rowcount', String(list.length));
  grid.replaceChildren(
    ...list.map((e) => {
      const row = h(
        'div',
        { role: 'row', tabindex: -1, 'aria-selected': String(chat.current?.entry.key === e.key) },
        h('div', { class: 'chat-row', 'data-chat-key': e.key }, h('span', { dir: 'auto', title: e.title, text: e.title })),
      );
      row.addEventListener('click', () => chat.open(e.key));
      return row;
    }),
  );
}

const chat = new ReplicaChat({
  prefix: 'wa',
  shared: GROUPS,
  onList: renderList,
  onOpen: openPane,
  onFrame: (f, conn) => {
    const entry = chat.current?.entry;
    if (!entry || !panel) return;
    if (f.t === 'welcome') panel.replaceChildren(...conn.messages.map((m) => messageNode(entry, m)));
    else if (f.t === 'msg') panel.append(messageNode(entry, f.msg));
  },
});

chat.install('whatsapp', {
  dom: (): DomMessage[] =>
    [...document.querySelectorAll<HTMLElement>('#main [data-id]')].map((el) => ({
      text: (el.querySelector<HTMLElement>('.selectable-text')?.innerText ?? '').trim(),
      mark: el.querySelector('.message-out') ? 'out' : el.querySelector('.message-in') ? 'in' : 'unmarked',
    })),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
});
