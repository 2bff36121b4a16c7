// The chat page's core: WebSocket connection, message list rendering (markdown, re-rendering
// like virtualized lists), sending with per-room length limit, and the window.__chat test hooks.
import { renderMessageHtml } from '../render.ts';
import { parseServerFrame, type ChatMessage, type ClientFrame, type ServerFrame } from '../protocol.ts';
import type { EditorFactory, SiteEditor } from './editor.ts';

export interface ChatClient {
  editor: SiteEditor;
  user: string;
  room: string;
  sendFrame(frame: ClientFrame): void;
  onFrame(fn: (frame: ServerFrame) => void): void;
}

export interface ChatHooks {
  ready: boolean;
  user: string;
  room: string;
  maxLength: number;
  messages(): { id: number; author: string; text: string }[];
  raw(): ChatMessage[];
  rerender(): void;
  editorText(): string;
  error(): string | null;
  send(text: string): void;
  submit(): boolean;
  presence(): string[];
}

declare global {
  interface Window {
    __chat?: ChatHooks;
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
}

function intParam(params: URLSearchParams, name: string, fallback: number): number {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

export function startChat(makeEditor: EditorFactory): ChatClient {
  const params = new URLSearchParams(location.search);
  const room = decodeURIComponent(location.pathname.split('/')[2] ?? 'lobby');
  const user = params.get('user') || `guest${Math.floor(Math.random() * 10000)}`;
  const windowSize = intParam(params, 'window', 0); // 0 = keep every message in the DOM
  const rerenderMs = intParam(params, 'rerender', 3000); // 0 = never re-render on a timer
  const chunk = intParam(params, 'chunk', 0) || undefined;
  // A slow site: re-focuses its editor again this long after a send (as a late re-render does).
  const refocusMs = intParam(params, 'refocus', 0);
  // A flaky site: these sends (1-based, e.g. "1,3") are refused; the text stays in the editor.
  const refused = new Set((params.get('refuse') ?? '').split(',').map(Number).filter((n) => n > 0));
  let submits = 0;

  const list = byId<HTMLDivElement>('messages');
  const errorBox = byId<HTMLDivElement>('error');
  const statusEl = byId<HTMLSpanElement>('status');
  const presenceEl = byId<HTMLSpanElement>('presence');
  byId<HTMLElement>('me').textContent = user;
  byId<HTMLElement>('room').textContent = room;

  const messages: ChatMessage[] = [];
  const listeners: ((f: ServerFrame) => void)[] = [];
  let maxLength = 2000;
  let presence: string[] = [];
  let ws: WebSocket | null = null;
  let ready = false;
  let pending: ClientFrame[] = [];

  function messageNode(m: ChatMessage): HTMLElement {
    const el = document.createElement('div');
    el.className = 'msg';
    el.dataset.author = m.author;
    el.dataset.id = String(m.id);
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = m.author;
    const time = document.createElement('time');
    time.className = 'time';
    time.dateTime = new Date(m.at).toISOString();
    time.textContent = new Date(m.at).toLocaleTimeString();
    const body = document.createElement('div');
    body.className = 'body';
    body.innerHTML = renderMessageHtml(m.text, chunk ? { chunk } : {});
    el.append(author, time, body);
    return el;
  }

  function visible(): ChatMessage[] {
    return windowSize > 0 ? messages.slice(-windowSize) : messages;
  }

  function stickToBottom(fn: () => void): void {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    fn();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  /** Tears down and rebuilds every message node, as virtualized lists do on scroll or resize. */
  function rerender(): void {
    stickToBottom(() => list.replaceChildren(...visible().map(messageNode)));
  }

  function append(m: ChatMessage): void {
    messages.push(m);
    stickToBottom(() => {
      list.append(messageNode(m));
      while (windowSize > 0 && list.children.length > windowSize) list.firstElementChild?.remove();
    });
  }

  function showError(text: string | null): void {
    errorBox.textContent = text ?? '';
    errorBox.hidden = text === null;
  }

  function sendFrame(frame: ClientFrame): void {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    else pending.push(frame);
  }

  let nonceSeq = 0;
  function sendText(text: string): boolean {
    if (text.trim() === '') return false;
    if (text.length > maxLength) {
      showError(`Your message is too long (${text.length}/${maxLength} characters)`);
      return false;
    }
    showError(null);
    sendFrame({ t: 'send', text, nonce: `n${++nonceSeq}` });
    return true;
  }

  function handle(frame: ServerFrame): void {
    switch (frame.t) {
      case 'welcome':
        maxLength = frame.maxLength;
        messages.length = 0;
        messages.push(...frame.history);
        rerender();
        ready = true;
        statusEl.textContent = 'connected';
        break;
      case 'msg':
        append(frame.msg);
        break;
      case 'room':
        maxLength = frame.maxLength;
        break;
      case 'presence':
        presence = frame.users;
        presenceEl.textContent = `${frame.users.length} online: ${frame.users.join(', ')}`;
        break;
      case 'error':
        showError(frame.message);
        break;
      default:
        break;
    }
    for (const fn of listeners) fn(frame);
  }

  function connect(): void {
    const q = new URLSearchParams({ room, user });
    const maxlen = params.get('maxlen');
    if (maxlen) q.set('maxlen', maxlen);
    const sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`);
    ws = sock;
    sock.onopen = () => {
      const queued = pending;
      pending = [];
      for (const f of queued) sock.send(JSON.stringify(f));
    };
    sock.onmessage = (ev) => {
      const frame = typeof ev.data === 'string' ? parseServerFrame(ev.data) : null;
      if (frame) handle(frame);
    };
    sock.onclose = () => {
      ready = false;
      statusEl.textContent = 'disconnected, retrying';
      setTimeout(connect, 1000);
    };
  }

  const host = byId<HTMLDivElement>('editor-host');
  const submit = (): boolean => {
    const text = editor.getText();
    if (text.trim() !== '' && refused.has(++submits)) return false;
    if (!sendText(text)) return false;
    editor.clear();
    editor.focus();
    if (refocusMs > 0) setTimeout(() => editor.focus(), refocusMs);
    return true;
  };
  const editor = makeEditor(host, () => void submit());
  byId<HTMLButtonElement>('send').addEventListener('click', () => void submit());

  if (rerenderMs > 0) setInterval(rerender, rerenderMs);
  connect();

  window.__chat = {
    get ready() {
      return ready;
    },
    user,
    room,
    get maxLength() {
      return maxLength;
    },
    messages: () =>
      [...list.querySelectorAll<HTMLElement>('.msg')].map((el) => ({
        id: Number(el.dataset.id),
        author: el.dataset.author ?? '',
        text: (el.querySelector<HTMLElement>('.body')?.innerText ?? '').trim(),
      })),
    raw: () => messages.map((m) => ({ ...m })),
    rerender,
    editorText: () => editor.getText(),
    error: () => (errorBox.hidden ? null : errorBox.textContent),
    send: (text) => void sendText(text),
    submit,
    presence: () => [...presence],
  };

  return { editor, user, room, sendFrame, onFrame: (fn) => void listeners.push(fn) };
}
