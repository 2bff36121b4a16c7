// Slack replica (app.slack.com/client/<team>/<channel>). From public evidence (README.md): a
// Quill composer (.ql-editor) in the message pane and a SECOND one in the thread pane
// (threads flexpane), data-qa attributes throughout (message_container, message_sender_name,
// slack_kit_list, message_input, texty_send_button), rows of a virtual list
// (c-virtual_list__item), the author shown only on the first message of a run, text in
// .p-rich_text_section.
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createQuillEditor } from '../editors/quill.ts';
import { ReplicaChat, roomName, type ChatEntry, type DomMessage } from './app.ts';
import { connectRoom, type RoomConnection } from './connection.ts';
import { h, htmlBody, numericId } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const TEAM = 'T0VEIL';
const CHANNELS = [
  { key: 'c:C0GENERAL', title: 'general' },
  { key: 'c:C0RANDOM', title: 'random' },
];
const RUN_MS = 5 * 60_000;

const sidebar = h('nav', { class: 'p-channel_sidebar side-pane', 'aria-label': 'Channels' });
const primary = h('div', { class: 'p-workspace__primary_view main-pane', 'data-qa': 'message_pane' });
const flexpane = h('div', { class: 'p-flexpane', 'data-qa': 'threads_flexpane', role: 'complementary', 'aria-label': 'Thread', hidden: true });
document.body.append(h('div', { class: 'p-client_workspace' }, h('div', { class: 'row-layout' }, sidebar, primary, flexpane)));

let list: HTMLElement | null = null;
let composer: MountedEditor | null = null;
let thread: { parent: ChatMessage; conn: RoomConnection; list: HTMLElement; composer: MountedEditor } | null = null;

function ts(m: ChatMessage): string {
  return `${Math.floor(m.at / 1000)}.${String(m.id).padStart(6, '0')}`;
}

function channelId(entry: ChatEntry): string {
  return entry.key.slice(2);
}

function messageNode(channel: string, m: ChatMessage, prev: ChatMessage | undefined, inThread: boolean): HTMLElement {
  const first = !prev || prev.author !== m.author || m.at - prev.at > RUN_MS;
  const container = h(
    'div',
    { class: 'c-message_kit__background', 'data-qa': 'message_container', 'data-qa-unprocessed': 'false', 'data-msg-ts': ts(m), 'data-msg-channel-id': channel },
    h(
      'div',
      { class: 'c-message_kit__gutter__right' },
      first
        ? h(
            'span',
            { class: 'c-message__sender' },
            h('button', { class: 'c-message__sender_button', 'data-qa': 'message_sender_name', 'data-message-sender': `U${numericId(m.author, 9)}`, type: 'button', text: m.author }),
            h('a', { class: 'c-timestamp', 'data-ts': ts(m), text: new Date(m.at).toLocaleTimeString() }),
          )
        : null,
      h('div', { class: 'c-message_kit__blocks' }, h('div', { class: 'p-rich_text_block', dir: 'auto' }, htmlBody('div', { class: 'p-rich_text_section' }, renderMessageHtml(m.text)))),
    ),
  );
  if (!inThread) {
    const reply = h('button', { type: 'button', 'data-qa': 'start_thread', 'aria-label': 'Reply in thread', text: '💬' });
    reply.addEventListener('click', () => openThread(m.id));
    container.append(reply);
  }
  return h('div', { class: 'c-virtual_list__item', role: 'listitem', 'data-item-key': ts(m), id: ts(m) }, container);
}

function renderInto(target: HTMLElement, channel: string, messages: readonly ChatMessage[], inThread: boolean): void {
  target.replaceChildren(...messages.map((m, i) => messageNode(channel, m, messages[i - 1], inThread)));
}

function composerRow(editorHost: HTMLElement, onSend: () => void): HTMLElement {
  const send = h('button', { type: 'button', 'data-qa': 'texty_send_button', 'aria-label': 'Send now', text: '➤' });
  send.addEventListener('click', onSend);
  return h('div', { class: 'p-message_pane_input composer-row' }, editorHost, send);
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text);
  return true;
}

function openPane(entry: ChatEntry): void {
  const path = `/client/${TEAM}/${channelId(entry)}`;
  if (location.pathname !== path) history.pushState(null, '', path);
  closeThread();
  list = h('div', { class: 'c-virtual_list__scroll_container', 'data-qa': 'slack_kit_list', role: 'list', 'aria-label': entry.title });
  const editorHost = h('div', { class: 'grow c-texty_input_unstyled__container', 'data-qa': 'message_input' });
  primary.replaceChildren(
    h('div', { class: 'p-view_header' }, h('h1', { text: `# ${entry.title}` })),
    h('div', { class: 'c-virtual_list scroll', 'data-qa': 'slack_kit_scrollbar' }, list),
    composerRow(editorHost, () => void composer?.submit()),
  );
  composer = mountEditor(createQuillEditor, editorHost, sendToChat, { role: 'textbox', 'aria-label': `Message #${entry.title}` });
  renderSidebar();
}

function closeThread(): void {
  thread?.conn.close();
  thread = null;
  flexpane.hidden = true;
  flexpane.replaceChildren();
}

/** Opens the thread of message `id` in the flexpane, with its own (second) composer. */
function openThread(id: number): boolean {
  const current = chat.current;
  const parent = current?.conn.messages.find((m) => m.id === id);
  if (!current || !parent) return false;
  closeThread();
  const channel = channelId(current.entry);
  const tlist = h('div', { class: 'c-virtual_list__scroll_container', 'data-qa': 'slack_kit_list', role: 'list', 'aria-label': 'Thread' });
  const editorHost = h('div', { class: 'grow c-texty_input_unstyled__container', 'data-qa': 'message_input' });
  const close = h('button', { type: 'button', 'aria-label': 'Close', text: '✕' });
  close.addEventListener('click', closeThread);
  const parentList = h('div', { class: 'p-threads_flexpane__parent' }, messageNode(channel, parent, undefined, true));
  flexpane.append(h('div', { class: 'p-flexpane_header' }, h('span', { text: 'Thread' }), close), parentList, h('div', { class: 'scroll' }, tlist));
  const conn = connectRoom(roomName('slack', ['c', channel, 'thread', String(parent.id)]), (f, c) => {
    if (thread?.conn === c && (f.t === 'welcome' || f.t === 'msg')) renderInto(tlist, channel, c.messages, true);
  });
  const tcomposer = mountEditor(createQuillEditor, editorHost, (text) => { conn.send(text); return true; }, { role: 'textbox', 'aria-label': 'Reply…' });
  flexpane.append(composerRow(editorHost, () => void tcomposer.submit()));
  flexpane.hidden = false;
  thread = { parent, conn, list: tlist, composer: tcomposer };
  return true;
}

function renderSidebar(): void {
  sidebar.replaceChildren(
    ...CHANNELS.map((c) => {
      const a = h('a', { href: `/client/${TEAM}/${c.key.slice(2)}`, 'data-qa': `channel_sidebar_name_${c.title}`, 'aria-current': chat.current?.entry.key === c.key ? 'page' : null, text: `# ${c.title}` });
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        chat.open(c.key);
      });
      return h('div', { class: 'chat-row' }, a);
    }),
  );
}

function keyForPath(path: string): string | null {
  const m = /^\/client\/[^/]+\/([^/]+)/.exec(path);
  return CHANNELS.find((c) => c.key === `c:${m?.[1] ?? ''}`)?.key ?? null;
}

const chat = new ReplicaChat({
  prefix: 'slack',
  shared: CHANNELS,
  directChats: false,
  onList: renderSidebar,
  onOpen: openPane,
  onFrame: (f, conn) => {
    const entry = chat.current?.entry;
    if (entry && list && (f.t === 'welcome' || f.t === 'msg')) renderInto(list, channelId(entry), conn.messages, false);
  },
});

chat.open(keyForPath(location.pathname) ?? 'c:C0GENERAL');
window.addEventListener('popstate', () => {
  const key = keyForPath(location.pathname);
  if (key) chat.open(key);
});

/** Reads messages back from a list, authors inherited along a run as a reader would. */
function readList(root: ParentNode | null): DomMessage[] {
  let author = '';
  return [...(root?.querySelectorAll<HTMLElement>('[data-qa="message_container"]') ?? [])].map((el) => {
    author = el.querySelector('[data-qa="message_sender_name"]')?.textContent ?? author;
    return { text: (el.querySelector<HTMLElement>('.p-rich_text_section')?.innerText ?? '').trim(), mark: author === '' ? 'unmarked' : author === chat.you ? 'out' : 'in' };
  });
}

chat.install('slack', {
  dom: () => readList(list),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
  /** Opens the thread of message `id` (as "Reply in thread" does). */
  openThread,
  closeThread,
  threadDom: () => readList(thread?.list ?? null),
  threadMessages: () => (thread?.conn.messages ?? []).map((m) => ({ id: m.id, author: m.author, text: m.text })),
  submitThread: () => thread?.composer.submit() ?? false,
});
