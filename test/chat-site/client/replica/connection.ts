// One WebSocket to one room of the chat site, for the replica pages. The user is whoever the
// login cookie says (the URL carries no handle). Reconnects after a drop; frames sent while
// connecting are queued. Closing it (switching chats) stops the reconnects.
import { parseServerFrame, type ChatMessage, type ClientFrame, type RoomKind, type ServerFrame } from '../../protocol.ts';

export interface RoomConnection {
  readonly room: string;
  /** Our handle, as the server's welcome names it (null until then). */
  readonly you: string | null;
  /** Messages of this room as received (history and live), oldest first. */
  readonly messages: readonly ChatMessage[];
  readonly ready: boolean;
  send(text: string, replyTo?: number): void;
  sendFrame(frame: ClientFrame): void;
  close(): void;
}

export function connectRoom(room: string, onFrame: (frame: ServerFrame, conn: RoomConnection) => void, kind: RoomKind = 'chat'): RoomConnection {
  let ws: WebSocket | null = null;
  let closed = false;
  let you: string | null = null;
  let ready = false;
  let pending: ClientFrame[] = [];
  let nonce = 0;
  const messages: ChatMessage[] = [];

  const conn: RoomConnection = {
    room,
    get you() {
      return you;
    },
    get messages() {
      return messages;
    },
    get ready() {
      return ready;
    },
    send(text, replyTo) {
      if (text.trim() === '') return;
      conn.sendFrame({ t: 'send', text, nonce: `n${++nonce}`, ...(replyTo !== undefined ? { replyTo } : {}) });
    },
    sendFrame(frame) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
      else pending.push(frame);
    },
    close() {
      closed = true;
      ws?.close();
    },
  };

  const open = (): void => {
    const q = new URLSearchParams({ room });
    if (kind !== 'chat') q.set('kind', kind);
    const sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${q}`);
    ws = sock;
    sock.onopen = () => {
      const queued = pending;
      pending = [];
      for (const f of queued) sock.send(JSON.stringify(f));
    };
    sock.onmessage = (ev) => {
      if (closed) return;
      const frame = typeof ev.data === 'string' ? parseServerFrame(ev.data) : null;
      if (!frame) return;
      if (frame.t === 'welcome') {
        you = frame.you;
        messages.length = 0;
        messages.push(...frame.history);
        ready = true;
      } else if (frame.t === 'msg') messages.push(frame.msg);
      onFrame(frame, conn);
    };
    sock.onclose = () => {
      ready = false;
      if (!closed) setTimeout(open, 1000);
    };
  };
  open();
  return conn;
}
