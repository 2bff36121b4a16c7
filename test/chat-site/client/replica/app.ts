// What every messenger-like replica shares: who is signed in (from the lobby's welcome), the
// people seen in the lobby (their direct chats fill the side list), the open chat's room
// connection, and the window.__replica test hooks. Each site builds its own DOM around it.
import type { ChatMessage, ServerFrame } from '../../protocol.ts';
import { connectRoom, type RoomConnection } from './connection.ts';

export interface ChatEntry {
  /** 'dm:<peer>' or '<kind>:<name>' (a group, channel or space). */
  key: string;
  title: string;
  room: string;
  /** The other person of a direct chat. */
  peer?: string;
}

/** A message as the page shows it, read back from the page's own DOM and its own marks. */
export interface DomMessage {
  text: string;
  mark: 'in' | 'out' | 'system' | 'unmarked';
}

export interface ReplicaHooks {
  readonly page: string;
  /** The open chat is connected and its history shown. */
  readonly ready: boolean;
  readonly you: string | null;
  /** Key of the open chat (null when none is open). */
  readonly chat: string | null;
  chats(): { key: string; title: string }[];
  /** Opens a chat as a click in the side list would ('dm:<peer>' opens a direct chat with anyone). */
  openChat(key: string): void;
  /** The open chat's messages as received. */
  messages(): { id: number; author: string; mine: boolean; text: string; replyTo?: number }[];
  /** The open chat's messages as the page shows them. */
  dom(): DomMessage[];
  /** Straight to the socket, bypassing the editor. */
  send(text: string): void;
  /** What pressing Enter in the editor does. */
  submit(): boolean;
  editorText(): string;
  [extra: string]: unknown;
}

declare global {
  interface Window {
    __replica?: ReplicaHooks;
  }
}

const ROOM_MAX = 64;

/** Room of a chat: readable when it fits, hashed when the handles are long. */
export function roomName(prefix: string, parts: string[]): string {
  const name = [prefix, ...parts].join('.');
  if (name.length <= ROOM_MAX) return name;
  let hash = 0;
  for (const ch of name) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  return `${prefix}.${hash.toString(36)}`;
}

export interface ReplicaChatOptions {
  /** Room prefix of this site (its rooms never mix with another replica's). */
  prefix: string;
  /** Chats everyone has (groups, channels, spaces). */
  shared: { key: string; title: string }[];
  /** Whether people seen in the lobby get direct chats in the list (default true). */
  directChats?: boolean;
  /** The side list changed (a person appeared, unread counts, the open chat). */
  onList(list: ChatEntry[]): void;
  /** The lobby said who we are. */
  onSignedIn?(you: string): void;
  /** A chat was opened: build its pane. */
  onOpen(entry: ChatEntry): void;
  /** A frame of the open chat (welcome with history, new message, error). */
  onFrame(frame: ServerFrame, conn: RoomConnection): void;
}

export class ReplicaChat {
  you: string | null = null;
  current: { entry: ChatEntry; conn: RoomConnection } | null = null;
  readonly people = new Set<string>();
  readonly unread = new Map<string, number>();
  private wanted: string | null = null;

  constructor(private readonly o: ReplicaChatOptions) {
    connectRoom(`${o.prefix}.lobby`, (f, conn) => {
      if (f.t === 'welcome') {
        this.you = conn.you;
        this.o.onSignedIn?.(this.you ?? '');
        if (this.wanted) this.open(this.wanted);
      }
      if (f.t === 'presence') {
        for (const u of f.users) this.people.add(u);
        this.o.onList(this.list());
      }
    });
  }

  entry(key: string): ChatEntry | null {
    const me = this.you;
    if (!me) return null;
    if (key.startsWith('dm:')) {
      const peer = key.slice(3);
      if (peer === '' || peer === me || this.o.directChats === false) return null;
      return { key, title: peer, peer, room: roomName(this.o.prefix, ['dm', ...[me, peer].sort()]) };
    }
    const shared = this.o.shared.find((s) => s.key === key);
    return shared ? { ...shared, room: roomName(this.o.prefix, [key.replace(':', '.')]) } : null;
  }

  list(): ChatEntry[] {
    const people = this.o.directChats === false ? [] : [...this.people].filter((p) => p !== this.you).sort();
    const dms = people.map((p) => this.entry(`dm:${p}`));
    return [...this.o.shared.map((s) => this.entry(s.key)), ...dms].filter((e): e is ChatEntry => e !== null);
  }

  /** Opens a chat (once we know who we are); the previous chat's connection is closed. */
  open(key: string): void {
    this.wanted = key;
    const entry = this.entry(key);
    if (!entry) return;
    if (this.current?.entry.key === key) return;
    this.current?.conn.close();
    this.unread.delete(key);
    this.o.onOpen(entry);
    const conn = connectRoom(entry.room, (f, c) => {
      if (this.current?.conn === c) this.o.onFrame(f, c);
    });
    this.current = { entry, conn };
    this.o.onList(this.list());
  }

  mine(m: ChatMessage): boolean {
    return m.author === this.you;
  }

  /** Installs window.__replica with the shared hooks plus the site's own. */
  install(page: string, own: { dom(): DomMessage[]; submit(): boolean; editorText(): string } & Record<string, unknown>): void {
    const current = (): ReplicaChat['current'] => this.current;
    const you = (): string | null => this.you;
    window.__replica = {
      ...own,
      page,
      get ready() {
        return current()?.conn.ready ?? false;
      },
      get you() {
        return you();
      },
      get chat() {
        return current()?.entry.key ?? null;
      },
      chats: () => this.list().map(({ key, title }) => ({ key, title })),
      openChat: (key: string) => this.open(key),
      messages: () =>
        (current()?.conn.messages ?? []).map((m) => ({
          id: m.id,
          author: m.author,
          mine: this.mine(m),
          text: m.text,
          ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
        })),
      send: (text: string) => current()?.conn.send(text),
    };
  }
}
