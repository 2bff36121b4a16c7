// A local chat site for exercising Veil: rooms, history, per-room length limits, WebRTC
// signaling for a random-video-chat page, and hooks tests use to play a hostile platform
// (rewrite or drop messages in flight, forge messages). Binds 127.0.0.1 only.
import http from 'node:http';
import { createRequire } from 'node:module';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { getBundles, EDITORS, type EditorKind } from './bundle.ts';
import { chatPageHtml, indexPageHtml, replicaPageHtml, videoPageHtml, REPLICA_CSS, SITE_CSS } from './pages.ts';
import { LOGIN_COOKIE, replicaForHost } from './replicas.ts';
import {
  DEFAULT_MAX_LENGTH,
  MAX_FRAME_BYTES,
  NAME_RE,
  parseClientFrame,
  type ChatMessage,
  type RoomKind,
  type ServerFrame,
} from './protocol.ts';

export type RelayTransform = (room: string, from: string, text: string) => string | null;

export type LogEntry =
  | {
      room: string;
      from: string;
      kind: 'chat';
      id: number;
      text: string;
      at: number;
      /** Set when the relay transform changed the text: what the sender actually sent. */
      original?: string;
      /** Set for messages forged through `inject`. */
      injected?: true;
      /** In a strangers room: the one partner it was delivered to. */
      to?: string;
    }
  | { room: string; from: string; kind: 'signal'; to: string; payload: unknown; at: number };

export interface ChatSite {
  url: string;
  port: number;
  log: LogEntry[];
  clearLog(): void;
  setRelayTransform(fn: RelayTransform | null): void;
  inject(room: string, from: string, text: string): ChatMessage;
  setRoomMaxLength(room: string, n: number): void;
  /** Messages as other users see them (after transforms), oldest first. */
  history(room: string): ChatMessage[];
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: '127.0.0.1';
}

/** Bound on stored history per room, so a long-running hand session cannot grow without limit. */
const MAX_HISTORY = 5000;

interface StoredMessage {
  /** What everyone except the author sees (transformed). Null when the transform dropped it. */
  shown: ChatMessage | null;
  /** What the author sees: their own original text, so a man in the middle stays invisible. */
  own: ChatMessage;
}

type VideoState = 'idle' | 'waiting' | 'paired';

interface Client {
  ws: WebSocket;
  user: string;
  room: Room;
  video: VideoState;
  partner: Client | null;
  /** The partner just left with Next: not paired again with them until Start is pressed. */
  avoid: Client | null;
  waitingSince: number;
}

interface Room {
  name: string;
  kind: RoomKind;
  maxLength: number;
  messages: StoredMessage[];
  clients: Set<Client>;
}

const require = createRequire(import.meta.url);

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export async function startChatSite(opts: StartOptions = {}): Promise<ChatSite> {
  const bundles = await getBundles();
  const quillCss = await fs.readFile(require.resolve('quill/dist/quill.core.css'));
  const rooms = new Map<string, Room>();
  const log: LogEntry[] = [];
  let transform: RelayTransform | null = null;
  let nextId = 1;
  let waitSeq = 0;

  function getRoom(name: string, maxLength?: number, kind: RoomKind = 'chat'): Room {
    let room = rooms.get(name);
    if (!room) {
      room = { name, kind, maxLength: maxLength ?? DEFAULT_MAX_LENGTH, messages: [], clients: new Set() };
      rooms.set(name, room);
    }
    return room;
  }

  function send(c: Client, frame: ServerFrame): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(frame));
  }

  function broadcastPresence(room: Room): void {
    const users = [...new Set([...room.clients].map((c) => c.user))].sort();
    for (const c of room.clients) send(c, { t: 'presence', users });
  }

  function store(room: Room, entry: StoredMessage): void {
    room.messages.push(entry);
    if (room.messages.length > MAX_HISTORY) room.messages.splice(0, room.messages.length - MAX_HISTORY);
    for (const c of room.clients) {
      const view = c.user === entry.own.author ? entry.own : entry.shown;
      if (view) send(c, { t: 'msg', msg: view });
    }
  }

  function historyFor(room: Room, user: string): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const m of room.messages) {
      const view = user === m.own.author ? m.own : m.shown;
      if (view) out.push(view);
    }
    return out;
  }

  function handleSend(c: Client, text: string, nonce: string | undefined, replyTo: number | undefined): void {
    const room = c.room;
    if (room.kind === 'strangers' && !c.partner) {
      send(c, { t: 'error', code: 'no_partner', message: 'You are not talking to anyone', ...(nonce ? { nonce } : {}) });
      return;
    }
    if (text.trim() === '') {
      send(c, { t: 'error', code: 'empty', message: 'Message is empty', ...(nonce ? { nonce } : {}) });
      return;
    }
    if (text.length > room.maxLength) {
      send(c, {
        t: 'error',
        code: 'too_long',
        message: `Your message is too long (${text.length}/${room.maxLength} characters)`,
        length: text.length,
        maxLength: room.maxLength,
        ...(nonce ? { nonce } : {}),
      });
      return;
    }
    const at = Date.now();
    const id = nextId++;
    const reply = replyTo !== undefined ? { replyTo } : {};
    const own: ChatMessage = { id, author: c.user, text, at, ...reply };
    const relayed = transform ? transform(room.name, c.user, text) : text;
    const shown: ChatMessage | null = relayed === null ? null : { id, author: c.user, text: relayed, at, ...reply };
    const partner = room.kind === 'strangers' ? c.partner : null;
    if (shown) {
      log.push({
        room: room.name,
        from: c.user,
        kind: 'chat',
        id,
        text: shown.text,
        at,
        ...(shown.text !== text ? { original: text } : {}),
        ...(partner ? { to: partner.user } : {}),
      });
    }
    if (partner) {
      // Strangers: only the two of them see it, and nothing is kept for later joiners.
      send(c, { t: 'msg', msg: own });
      if (shown) send(partner, { t: 'msg', msg: shown });
    } else store(room, { own, shown });
    if (nonce) send(c, { t: 'ack', nonce, id });
  }

  // ---- random video chat pairing -------------------------------------------------------
  function unpair(c: Client, reason: 'next' | 'left' | 'stop'): Client | null {
    const p = c.partner;
    c.partner = null;
    if (p) {
      p.partner = null;
      p.video = 'waiting';
      p.avoid = null;
      p.waitingSince = ++waitSeq;
      send(p, { t: 'video-hangup', reason });
      send(p, { t: 'video-waiting' });
    }
    return p;
  }

  /** Pairs waiting users, oldest first; `first` (who just pressed Start or Next) goes before all. */
  function tryPair(room: Room, first?: Client): void {
    const waiting = [...room.clients]
      .filter((c) => c.video === 'waiting')
      .sort((a, b) => (a === first ? -1 : b === first ? 1 : a.waitingSince - b.waitingSince));
    const used = new Set<Client>();
    for (const a of waiting) {
      if (used.has(a)) continue;
      const b = waiting.find((x) => x !== a && !used.has(x) && a.avoid !== x && x.avoid !== a);
      if (!b) continue;
      used.add(a).add(b);
      a.video = b.video = 'paired';
      a.partner = b;
      b.partner = a;
      a.avoid = b.avoid = null;
      // The newer arrival makes the offer, as it has just finished setting up its media.
      send(a, { t: 'video-paired', partner: b.user, initiator: false });
      send(b, { t: 'video-paired', partner: a.user, initiator: true });
    }
  }

  function handleVideo(c: Client, kind: 'video-start' | 'video-next' | 'video-stop'): void {
    if (kind === 'video-start') {
      if (c.video === 'paired') return;
      c.video = 'waiting';
      c.avoid = null;
      c.waitingSince = ++waitSeq;
      send(c, { t: 'video-waiting' });
    } else if (kind === 'video-next') {
      const old = unpair(c, 'next');
      c.video = 'waiting';
      c.avoid = old;
      c.waitingSince = ++waitSeq;
      send(c, { t: 'video-waiting' });
    } else {
      unpair(c, 'stop');
      c.video = 'idle';
    }
    tryPair(c.room, c);
  }

  // ---- HTTP ------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(body);
    };
    if (req.method !== 'GET') return reply(405, 'text/plain', 'method not allowed');
    const asset = /^\/assets\/([a-z-]+)\.js$/.exec(url.pathname);
    if (asset?.[1] && bundles.has(asset[1])) return reply(200, 'text/javascript; charset=utf-8', bundles.get(asset[1]) ?? '');
    if (url.pathname === '/assets/site.css') return reply(200, 'text/css; charset=utf-8', SITE_CSS);
    if (url.pathname === '/assets/replica.css') return reply(200, 'text/css; charset=utf-8', REPLICA_CSS);
    if (url.pathname === '/assets/quill.core.css') return reply(200, 'text/css; charset=utf-8', quillCss);
    const replica = replicaForHost(req.headers.host);
    if (replica) {
      if (url.pathname === '/__replica/login') {
        // Test sign-in: the handle goes into a cookie, never into the page or its URL.
        const user = url.searchParams.get('user') ?? '';
        const next = url.searchParams.get('next') ?? replica.start;
        if (!NAME_RE.test(user) || !next.startsWith('/') || next.startsWith('//')) return reply(400, 'text/plain', 'bad login');
        res.writeHead(302, { location: next, 'set-cookie': `${LOGIN_COOKIE}=${user}; Path=/; Secure; HttpOnly; SameSite=Lax`, 'cache-control': 'no-store' });
        return void res.end();
      }
      // Single-page apps: every path of the site gets the app, which routes itself.
      return reply(200, 'text/html; charset=utf-8', replicaPageHtml(replica));
    }
    if (url.pathname === '/') return reply(200, 'text/html; charset=utf-8', indexPageHtml());
    const chat = /^\/chat\/([^/]+)$/.exec(url.pathname);
    if (chat?.[1] !== undefined) {
      const room = decodeURIComponent(chat[1]);
      const editor = (url.searchParams.get('editor') ?? 'textarea') as EditorKind;
      if (!NAME_RE.test(room)) return reply(400, 'text/plain', 'bad room name');
      if (!EDITORS.includes(editor)) return reply(400, 'text/plain', `editor must be one of ${EDITORS.join(', ')}`);
      return reply(200, 'text/html; charset=utf-8', chatPageHtml({ room, editor, hostile: url.searchParams.get('hostile') === '1' }));
    }
    const video = /^\/video\/([^/]+)$/.exec(url.pathname);
    if (video?.[1] !== undefined) {
      const room = decodeURIComponent(video[1]);
      if (!NAME_RE.test(room)) return reply(400, 'text/plain', 'bad room name');
      return reply(200, 'text/html; charset=utf-8', videoPageHtml({ room, hostile: url.searchParams.get('hostile') === '1' }));
    }
    return reply(404, 'text/plain', 'not found');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const roomName = url.searchParams.get('room') ?? '';
    // Replica pages carry no handle in their URLs: they are signed in by a cookie.
    const user = url.searchParams.get('user') ?? cookie(req.headers.cookie, LOGIN_COOKIE) ?? '';
    if (url.pathname !== '/ws' || !NAME_RE.test(roomName) || !NAME_RE.test(user)) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const maxlenParam = Number(url.searchParams.get('maxlen'));
      // ?maxlen= only counts when it creates the room, like a server-side setting.
      const kind: RoomKind = url.searchParams.get('kind') === 'strangers' ? 'strangers' : 'chat';
      const room = getRoom(roomName, Number.isSafeInteger(maxlenParam) && maxlenParam > 0 ? maxlenParam : undefined, kind);
      const c: Client = { ws, user, room, video: 'idle', partner: null, avoid: null, waitingSince: 0 };
      room.clients.add(c);
      send(c, { t: 'welcome', you: user, room: room.name, maxLength: room.maxLength, history: historyFor(room, user) });
      broadcastPresence(room);
      ws.on('message', (data, isBinary) => {
        const frame = isBinary ? null : parseClientFrame((Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString());
        if (!frame) return send(c, { t: 'error', code: 'bad_frame', message: 'Unreadable frame' });
        switch (frame.t) {
          case 'send':
            return handleSend(c, frame.text, frame.nonce, frame.replyTo);
          case 'signal': {
            const to = c.partner;
            if (!to) return;
            log.push({ room: room.name, from: c.user, to: to.user, kind: 'signal', payload: frame.payload, at: Date.now() });
            return send(to, { t: 'signal', from: c.user, payload: frame.payload });
          }
          default:
            return handleVideo(c, frame.t);
        }
      });
      ws.on('close', () => {
        unpair(c, 'left');
        room.clients.delete(c);
        tryPair(room);
        broadcastPresence(room);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    clearLog: () => void log.splice(0, log.length),
    setRelayTransform: (fn) => {
      transform = fn;
    },
    inject: (roomName, from, text) => {
      if (!NAME_RE.test(roomName) || !NAME_RE.test(from)) throw new Error('bad room or handle');
      const room = getRoom(roomName);
      const msg: ChatMessage = { id: nextId++, author: from, text, at: Date.now() };
      log.push({ room: roomName, from, kind: 'chat', id: msg.id, text, at: msg.at, injected: true });
      store(room, { own: msg, shown: msg });
      return msg;
    },
    setRoomMaxLength: (roomName, n) => {
      if (!Number.isSafeInteger(n) || n < 1) throw new Error('max length must be a positive integer');
      const room = getRoom(roomName);
      room.maxLength = n;
      for (const c of room.clients) send(c, { t: 'room', maxLength: n });
    },
    history: (roomName) => {
      const room = rooms.get(roomName);
      return room ? room.messages.flatMap((m) => (m.shown ? [m.shown] : [])) : [];
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
