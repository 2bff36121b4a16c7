// Messenger replica (www.messenger.com). From public evidence (README.md): the sidebar's chat
// list is a [role=grid] that comes BEFORE the conversation's [role=grid] in document order; the
// conversation lives in [role=main]; direct chats are end-to-end encrypted threads at
// /e2ee/t/<id>/, other threads at /t/<id>/; newer message rows hold a role=article whose body
// exists twice (a hidden copy first, then the visible one). No names on one's own messages:
// they are only aligned to the right. Lexical composer (role=textbox, data-lexical-editor).
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createLexicalEditor } from '../editors/lexical.ts';
import { ReplicaChat, type ChatEntry, type DomMessage } from './app.ts';
import { h, htmlBody, numericId } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const GROUPS = [{ key: 'g:weekend', title: 'Weekend plans' }];

const sidebarGrid = h('div', { role: 'grid', 'aria-label': 'Chats' });
const main = h('div', { role: 'main', class: 'main-pane' });
document.body.append(
  h('div', { id: 'mount_0_0' }, h('div', { class: 'row-layout' }, h('div', { role: 'navigation', 'aria-label': 'Chats', class: 'side-pane' }, h('h1', { text: 'Chats' }), sidebarGrid), main)),
);

let grid: HTMLElement | null = null;
let composer: MountedEditor | null = null;

function threadPath(entry: ChatEntry): string {
  const id = numericId(entry.room, 16);
  return entry.peer ? `/e2ee/t/${id}/` : `/t/${id}/`;
}

function messageNode(m: ChatMessage): HTMLElement {
  const mine = chat.mine(m);
  const html = renderMessageHtml(m.text);
  const article = h(
    'div',
    { role: 'article', tabindex: -1, class: 'x1n2onr6' },
    !mine && chat.current?.entry.peer === undefined ? h('span', { class: 'x1lliihq', text: m.author }) : null,
    htmlBody('div', { dir: 'auto', class: 'html-div', style: 'display:none', 'aria-hidden': 'true' }, html),
    htmlBody('div', { dir: 'auto', class: 'html-div xexx8yu' }, html),
  );
  return h('div', { role: 'row', style: `display:flex;justify-content:${mine ? 'flex-end' : 'flex-start'}` }, article);
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text);
  return true;
}

function openPane(entry: ChatEntry): void {
  const path = threadPath(entry);
  if (location.pathname !== path) history.pushState(null, '', path);
  grid = h('div', { role: 'grid', 'aria-label': `Messages in conversation with ${entry.title}` });
  const editorHost = h('div', { class: 'grow' });
  const sendButton = h('div', { role: 'button', 'aria-label': 'Press enter to send', tabindex: 0, text: '➤' });
  main.replaceChildren(
    h('div', { class: 'header' }, h('h2', {}, h('span', { text: entry.title }))),
    h('div', { class: 'scroll' }, grid),
    h('div', { class: 'composer-row' }, editorHost, sendButton),
  );
  composer = mountEditor(createLexicalEditor, editorHost, sendToChat, { 'aria-label': 'Message', 'aria-placeholder': 'Aa' });
  sendButton.addEventListener('click', () => void composer?.submit());
}

function keyForPath(path: string): string | null {
  return chat.list().find((e) => threadPath(e) === path)?.key ?? null;
}

function renderList(list: ChatEntry[]): void {
  sidebarGrid.replaceChildren(
    ...list.map((e) => {
      const link = h('a', { role: 'link', href: threadPath(e), 'aria-current': chat.current?.entry.key === e.key ? 'page' : null }, h('span', { dir: 'auto', text: e.title }));
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        chat.open(e.key);
      });
      return h('div', { role: 'row' }, h('div', { role: 'gridcell' }, link));
    }),
  );
  // A thread URL opened directly (or a reload) opens once the list knows that thread.
  if (!chat.current) {
    const key = keyForPath(location.pathname);
    if (key) chat.open(key);
  }
}

const chat = new ReplicaChat({
  prefix: 'msgr',
  shared: GROUPS,
  onList: renderList,
  onOpen: openPane,
  onFrame: (f, conn) => {
    if (!grid) return;
    if (f.t === 'welcome') grid.replaceChildren(...conn.messages.map(messageNode));
    else if (f.t === 'msg') grid.append(messageNode(f.msg));
  },
});

window.addEventListener('popstate', () => {
  const key = keyForPath(location.pathname);
  if (key) chat.open(key);
});

chat.install('messenger', {
  dom: (): DomMessage[] =>
    [...(grid?.querySelectorAll<HTMLElement>('[role=row]') ?? [])].map((row) => ({
      text: (row.querySelector<HTMLElement>('[role=article] > .xexx8yu')?.innerText ?? '').trim(),
      mark: row.style.justifyContent === 'flex-end' ? 'out' : 'in',
    })),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
});
