// Discord replica (discord.com/channels/<guild>/<channel>). From public evidence (README.md):
// ol[data-list-id="chat-messages"] > li#chat-messages-<channel>-<id>; the first message of a
// run by one author has an h3 header with span#message-username-<id>; follow-on messages have
// no header, and their aria-labelledby names the FIRST message's message-username element;
// bodies are div#message-content-<id>; a reply puts the quoted message's
// div#message-content-<old id> (.repliedTextContent) FIRST, before its own header and body.
// Slate composer (data-slate-editor, role=textbox). The user area shows one's own name.
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage } from '../../protocol.ts';
import { createSlateEditor } from '../editors/slate.ts';
import { ReplicaChat, type ChatEntry, type DomMessage } from './app.ts';
import { h, htmlBody } from './dom.ts';
import { mountEditor, type MountedEditor } from './editor-mount.ts';

const GUILD = '1000';
const CHANNELS = [
  { key: 'c:2001', title: 'general' },
  { key: 'c:2002', title: 'random' },
];
/** Messages by one author closer than this form one run (one header). */
const RUN_MS = 7 * 60_000;

const channelNav = h('nav', { 'aria-label': 'Channels', class: 'side-pane' });
const userArea = h('section', { 'aria-label': 'User area', class: 'panels' });
const chatHost = h('main', { class: 'chatContent main-pane' });
const members = h('aside', { 'aria-label': 'Members', class: 'membersWrap side-pane' });
document.body.append(
  h('div', { id: 'app-mount' }, h('div', { class: 'row-layout' }, h('div', { class: 'sidebar' }, h('nav', { 'aria-label': 'Servers' }), channelNav, userArea), chatHost, members)),
);

let list: HTMLOListElement | null = null;
let composer: MountedEditor | null = null;
let replyBar: HTMLElement | null = null;
let replyTo: number | null = null;
/** Message id -> id of the first message of its run. */
const runStart = new Map<number, number>();

function channelId(entry: ChatEntry): string {
  return entry.key.slice(2);
}

function messageNode(entry: ChatEntry, m: ChatMessage, prev: ChatMessage | undefined, byId: Map<number, ChatMessage>): HTMLElement {
  const ch = channelId(entry);
  const quoted = m.replyTo !== undefined ? byId.get(m.replyTo) : undefined;
  const followOn = prev !== undefined && m.replyTo === undefined && prev.author === m.author && m.at - prev.at < RUN_MS;
  // The run's first message is the one whose username element labels this one.
  const head = followOn ? (byId.get(runStart.get(prev.id) ?? prev.id) ?? m) : m;
  runStart.set(m.id, head.id);
  const labelledBy = `message-username-${head.id} uid_1 message-content-${m.id} uid_2 message-timestamp-${m.id}`;
  const time = h('time', { id: `message-timestamp-${m.id}`, datetime: new Date(m.at).toISOString(), text: new Date(m.at).toLocaleTimeString() });
  const contents = h(
    'div',
    { class: 'contents' },
    followOn
      ? h('span', { class: 'timestamp latin12CompactTimeStamp', 'aria-hidden': 'true' }, time)
      : h(
          'h3',
          { class: 'header', 'aria-labelledby': `message-username-${m.id} uid_1 message-timestamp-${m.id}` },
          h('span', { class: 'headerText' }, h('span', { id: `message-username-${m.id}`, class: 'username', role: 'button', tabindex: 0, text: m.author })),
          h('span', { class: 'timestamp' }, time),
        ),
    htmlBody('div', { id: `message-content-${m.id}`, class: 'markup messageContent' }, renderMessageHtml(m.text)),
  );
  const reply = quoted
    ? h(
        'div',
        { id: `message-reply-context-${m.id}`, class: 'repliedMessage', 'aria-label': `Replying to ${quoted.author}` },
        h('span', { class: 'username', text: `@${quoted.author}` }),
        htmlBody('div', { id: `message-content-${quoted.id}`, class: 'repliedTextContent markup' }, renderMessageHtml(quoted.text)),
      )
    : null;
  return h(
    'li',
    { id: `chat-messages-${ch}-${m.id}`, class: 'messageListItem', 'aria-setsize': -1 },
    h(
      'div',
      {
        class: `message${followOn ? '' : ' groupStart'}`,
        role: 'article',
        tabindex: -1,
        'aria-labelledby': labelledBy,
        'data-list-item-id': `chat-messages___chat-messages-${ch}-${m.id}`,
      },
      reply,
      contents,
    ),
  );
}

function renderAll(entry: ChatEntry, messages: readonly ChatMessage[]): void {
  if (!list) return;
  runStart.clear();
  const byId = new Map(messages.map((m) => [m.id, m]));
  list.replaceChildren(...messages.map((m, i) => messageNode(entry, m, messages[i - 1], byId)));
}

function sendToChat(text: string): boolean {
  if (!chat.current) return false;
  chat.current.conn.send(text, replyTo ?? undefined);
  setReply(null);
  return true;
}

function setReply(id: number | null): void {
  replyTo = id;
  if (!replyBar) return;
  const m = id === null ? undefined : chat.current?.conn.messages.find((x) => x.id === id);
  replyBar.hidden = !m;
  replyBar.textContent = m ? `Replying to ${m.author}` : '';
}

function openPane(entry: ChatEntry): void {
  const path = `/channels/${GUILD}/${channelId(entry)}`;
  if (location.pathname !== path) history.pushState(null, '', path);
  list = h('ol', { 'data-list-id': 'chat-messages', role: 'list', 'aria-label': `Messages in ${entry.title}`, class: 'scrollerInner' });
  replyBar = h('div', { class: 'replyBar', hidden: true });
  setReply(null);
  const editorHost = h('div', { class: 'grow textArea' });
  chatHost.replaceChildren(
    h('section', { class: 'title', 'aria-label': 'Channel header' }, h('h1', { text: entry.title })),
    h('div', { class: 'messagesWrapper scroll' }, list),
    h('form', {}, replyBar, h('div', { class: 'channelTextArea composer-row' }, editorHost)),
  );
  composer = mountEditor(createSlateEditor, editorHost, sendToChat, { 'aria-label': `Message #${entry.title}` });
  renderChannels();
}

function renderChannels(): void {
  channelNav.replaceChildren(
    ...CHANNELS.map((c) => {
      const a = h('a', { href: `/channels/${GUILD}/${c.key.slice(2)}`, 'data-list-item-id': `channels___${c.key.slice(2)}`, 'aria-current': chat.current?.entry.key === c.key ? 'page' : null, text: `# ${c.title}` });
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        chat.open(c.key);
      });
      return h('div', { class: 'chat-row' }, a);
    }),
  );
}

function keyForPath(path: string): string | null {
  const m = /^\/channels\/[^/]+\/([^/]+)/.exec(path);
  return CHANNELS.find((c) => c.key === `c:${m?.[1] ?? ''}`)?.key ?? null;
}

const chat = new ReplicaChat({
  prefix: 'dc',
  shared: CHANNELS,
  directChats: false,
  onList: renderChannels,
  onOpen: openPane,
  onSignedIn: (you) => userArea.replaceChildren(h('div', { class: 'nameTag' }, h('div', { class: 'panelTitleContainer', text: you }), h('span', { class: 'hovered', text: you }))),
  onFrame: (f, conn) => {
    const entry = chat.current?.entry;
    if (!entry) return;
    if (f.t === 'welcome' || f.t === 'msg') renderAll(entry, conn.messages);
    else if (f.t === 'presence') members.replaceChildren(h('h2', { text: `Members — ${f.users.length}` }), ...f.users.map((u) => h('div', { class: 'member', text: u })));
  },
});

chat.open(keyForPath(location.pathname) ?? 'c:2001');
window.addEventListener('popstate', () => {
  const key = keyForPath(location.pathname);
  if (key) chat.open(key);
});

chat.install('discord', {
  dom: (): DomMessage[] =>
    [...(list?.querySelectorAll<HTMLElement>('li[id^="chat-messages-"]') ?? [])].map((li) => {
      const ch = chat.current ? channelId(chat.current.entry) : '';
      const id = li.id.slice(`chat-messages-${ch}-`.length);
      const headId = /message-username-(\d+)/.exec(li.firstElementChild?.getAttribute('aria-labelledby') ?? '')?.[1];
      const author = document.getElementById(`message-username-${headId ?? ''}`)?.textContent ?? '';
      return {
        text: (document.getElementById(`message-content-${id}`)?.innerText ?? '').trim(),
        mark: author === '' ? 'unmarked' : author === chat.you ? 'out' : 'in',
      };
    }),
  submit: () => composer?.submit() ?? false,
  editorText: () => composer?.editor.getText() ?? '',
  /** Starts a reply to message `id` (as its Reply button does); the next send carries it. */
  reply: (id: number) => setReply(id),
});
