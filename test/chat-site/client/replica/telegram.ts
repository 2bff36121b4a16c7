// Telegram Web K replica (web.telegram.org/k/). From public evidence (README.md; Web K is the
// open-source tweb): chats routed by the URL hash (#<peer id>); the open chat is `.chat.active`
// (the previously open one stays in the page, inactive); inside `.bubbles` a decoy
// `.bubbles-remover.bubbles-inner` comes BEFORE the real `.bubbles-inner`; messages are
// `.bubble.is-out` / `.bubble.is-in` with data-mid and data-peer-id, text in `.message`;
// group bubbles name the sender in `.peer-title`; the composer is a contenteditable
// `.input-message-input` with a `.btn-send` button.
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createContentEditableEditor } from '../editors/contenteditable.ts';
import { ReplicaChat, type ChatEntry, type DomMessage } from './app.ts';
import { clock, h, htmlBody, numericId } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const GROUPS = [{ key: 'g:book-club', title: 'Book club' }];

const chatlist = h('ul', { class: 'chatlist', role: 'list' });
const container = h('div', { class: 'chats-container tabs-container' });
document.body.append(
  h(
    'div',
    { id: 'page-chats', class: 'page-chats' },
    h('div', { id: 'main-columns', class: 'row-layout' }, h('div', { id: 'column-left', class: 'side-pane' }, chatlist), h('div', { id: 'column-center', class: 'main-pane' }, container)),
  ),
);

let inner: HTMLElement | null = null;
let composer: MountedEditor | null = null;

function peerId(entry: ChatEntry): string {
  return entry.peer ? numericId(entry.peer, 10) : `-${numericId(entry.key, 10)}`;
}

function bubble(entry: ChatEntry, m: ChatMessage): HTMLElement {
  const mine = chat.mine(m);
  return h(
    'div',
    { class: `bubble ${mine ? 'is-out' : 'is-in'} hide-name`, 'data-mid': m.id, 'data-peer-id': peerId(entry), 'data-timestamp': Math.floor(m.at / 1000) },
    h(
      'div',
      { class: 'bubble-content-wrapper' },
      h(
        'div',
        { class: 'bubble-content' },
        !mine && !entry.peer ? h('div', { class: 'name' }, h('span', { class: 'peer-title', 'data-peer-id': numericId(m.author, 10), text: m.author })) : null,
        htmlBody('div', { class: 'message spoilers-container', dir: 'auto' }, renderMessageHtml(m.text)),
        h('span', { class: 'time', text: clock(m.at) }),
      ),
    ),
  );
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text);
  return true;
}

function openPane(entry: ChatEntry): void {
  const hash = `#${peerId(entry)}`;
  if (location.hash !== hash) history.pushState(null, '', `/k/${hash}`);
  // The chat open before stays in the page, inactive (one of them).
  const old = [...container.querySelectorAll('.chat')];
  for (const c of old.slice(0, -1)) c.remove();
  for (const c of old) c.classList.remove('active');
  inner = h('div', { class: 'bubbles-inner has-rights' });
  const editorHost = h('div', { class: 'input-message-container grow' });
  const sendButton = h('button', { class: 'btn-icon btn-send send', 'aria-label': 'Send Message', type: 'button', text: '➤' });
  container.append(
    h(
      'div',
      { class: 'chat tabs-tab active', 'data-type': 'chat' },
      h('div', { class: 'sidebar-header topbar' }, h('div', { class: 'chat-info' }, h('span', { class: 'peer-title', 'data-peer-id': peerId(entry), text: entry.title }))),
      h(
        'div',
        { class: 'bubbles scrolled-down' },
        h('div', { class: 'bubbles-remover-container' }, h('div', { class: 'bubbles-remover bubbles-inner' })),
        h('div', { class: 'scrollable scrollable-y scroll' }, inner),
      ),
      h('div', { class: 'chat-input' }, h('div', { class: 'chat-input-container' }, h('div', { class: 'rows-wrapper composer-row' }, editorHost, sendButton))),
    ),
  );
  composer = mountEditor(createContentEditableEditor, editorHost, sendToChat, { 'data-placeholder': 'Message', dir: 'auto' });
  sendButton.addEventListener('click', () => void composer?.submit());
}

function keyForHash(hash: string): string | null {
  return chat.list().find((e) => `#${peerId(e)}` === hash)?.key ?? null;
}

function renderList(list: ChatEntry[]): void {
  chatlist.replaceChildren(
    ...list.map((e) => {
      const a = h('a', { class: `chatlist-chat row${chat.current?.entry.key === e.key ? ' active' : ''}`, href: `#${peerId(e)}`, 'data-peer-id': peerId(e) }, h('span', { class: 'peer-title', text: e.title }));
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        chat.open(e.key);
      });
      return h('li', {}, a);
    }),
  );
  if (!chat.current && location.hash) {
    const key = keyForHash(location.hash);
    if (key) chat.open(key);
  }
}

const chat = new ReplicaChat({
  prefix: 'tg',
  shared: GROUPS,
  onList: renderList,
  onOpen: openPane,
  onFrame: (f, conn) => {
    const entry = chat.current?.entry;
    if (!entry || !inner) return;
    const group = (): HTMLElement => {
      let g = inner!.querySelector<HTMLElement>('section .bubbles-group:last-child');
      if (!g) {
        g = h('div', { class: 'bubbles-group' });
        inner!.append(h('section', { class: 'bubbles-date-group' }, g));
      }
      return g;
    };
    if (f.t === 'welcome') {
      inner.replaceChildren();
      for (const m of conn.messages) group().append(bubble(entry, m));
    } else if (f.t === 'msg') group().append(bubble(entry, f.msg));
  },
});

window.addEventListener('hashchange', () => {
  const key = keyForHash(location.hash);
  if (key) chat.open(key);
});

chat.install('telegram', {
  dom: (): DomMessage[] =>
    [...document.querySelectorAll<HTMLElement>('.chat.active .bubbles .scrollable .bubble')].map((b) => ({
      text: (b.querySelector<HTMLElement>('.message')?.innerText ?? '').trim(),
      mark: b.classList.contains('is-out') ? 'out' : b.classList.contains('is-in') ? 'in' : 'unmarked',
    })),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
});
