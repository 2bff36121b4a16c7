// Google Chat replica (chat.google.com). From public evidence (README.md): one message per
// c-wiz[data-topic-id] (a topic), the message inside as div[data-id][data-message-multiplat-item-id],
// the conversation's c-wiz carries data-group-id ("space/…" or "dm/…"), the sender is a
// [data-member-id] element with data-name, shown as "You" on one's own messages; the URL may
// stay the same when switching between conversations (here it always stays /u/0/).
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createContentEditableEditor } from '../editors/contenteditable.ts';
import { ReplicaChat, type ChatEntry, type DomMessage } from './app.ts';
import { h, htmlBody, numericId } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const SPACES = [{ key: 'space:team', title: 'Team space' }];

const nav = h('nav', { class: 'side-pane', 'aria-label': 'Chat' });
const main = h('div', { role: 'main', class: 'main-pane' });
document.body.append(h('div', { id: 'yDmH0d' }, h('div', { class: 'row-layout' }, nav, main)));

let topics: HTMLElement | null = null;
let composer: MountedEditor | null = null;

function groupId(entry: ChatEntry): string {
  return entry.peer ? `dm/${numericId(entry.room, 11)}` : `space/AAAA${numericId(entry.key, 7)}`;
}

function topicNode(m: ChatMessage): HTMLElement {
  const mine = chat.mine(m);
  const name = mine ? 'You' : m.author;
  const topicId = `T${m.id.toString(36).toUpperCase().padStart(10, '0')}`;
  return h(
    'c-wiz',
    { 'data-topic-id': topicId, 'data-local-topic-id': topicId, class: 'PEfRJc' },
    h(
      'div',
      { 'data-id': `M${m.id}`, 'data-message-multiplat-item-id': `${topicId}/M${m.id}`, class: 'nF6pT' },
      h('div', { class: 'sender' }, h('span', { 'data-member-id': `user/human/${numericId(m.author, 21)}` }, h('span', { 'data-name': name, class: 'njhDLd', text: name }))),
      htmlBody('div', { jsname: 'bgckF', class: 'DTp27d', dir: 'auto' }, renderMessageHtml(m.text)),
    ),
  );
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text);
  return true;
}

function openPane(entry: ChatEntry): void {
  topics = h('div', { role: 'list', 'aria-label': `Messages in ${entry.title}`, class: 'scroll' });
  const editorHost = h('div', { class: 'grow' });
  const sendButton = h('button', { type: 'button', 'aria-label': 'Send message', text: '➤' });
  main.replaceChildren(
    h(
      'c-wiz',
      { 'data-group-id': groupId(entry), class: 'main-pane' },
      h('div', { class: 'header' }, h('span', { role: 'heading', 'aria-level': '2', text: entry.title })),
      topics,
      h('div', { class: 'composer-row' }, editorHost, sendButton),
    ),
  );
  composer = mountEditor(createContentEditableEditor, editorHost, sendToChat, { class: 'editor XgRUNc', 'aria-label': `Message ${entry.title}` });
  sendButton.addEventListener('click', () => void composer?.submit());
}

function renderList(list: ChatEntry[]): void {
  nav.replaceChildren(
    ...list.map((e) => {
      const link = h('div', { role: 'link', tabindex: 0, class: 'chat-row', 'data-group-id': groupId(e), 'aria-selected': String(chat.current?.entry.key === e.key) }, h('span', { text: e.title }));
      link.addEventListener('click', () => chat.open(e.key));
      return link;
    }),
  );
}

const chat = new ReplicaChat({
  prefix: 'gchat',
  shared: SPACES,
  onList: renderList,
  onOpen: openPane,
  onFrame: (f, conn) => {
    if (!topics) return;
    if (f.t === 'welcome') topics.replaceChildren(...conn.messages.map(topicNode));
    else if (f.t === 'msg') topics.append(topicNode(f.msg));
  },
});
chat.open('space:team');

chat.install('google-chat', {
  dom: (): DomMessage[] =>
    [...(topics?.querySelectorAll<HTMLElement>('c-wiz[data-topic-id]') ?? [])].map((t) => {
      const name = t.querySelector('[data-member-id] [data-name]')?.getAttribute('data-name');
      return { text: (t.querySelector<HTMLElement>('[jsname="bgckF"]')?.innerText ?? '').trim(), mark: name === 'You' ? 'out' : name ? 'in' : 'unmarked' };
    }),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
});
