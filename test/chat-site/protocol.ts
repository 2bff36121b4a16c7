// Wire format between the chat-site pages and the chat-site server (JSON over one WebSocket).
// Shared by the Node server and the browser bundles, so it stays free of Node and DOM APIs.

export interface ChatMessage {
  id: number;
  author: string;
  text: string;
  at: number;
  /** The message this one replies to (Discord-style replies), when it is a reply. */
  replyTo?: number;
}

export type ClientFrame =
  | { t: 'send'; text: string; nonce?: string; replyTo?: number }
  | { t: 'video-start' }
  | { t: 'video-next' }
  | { t: 'video-stop' }
  | { t: 'signal'; payload: unknown };

export type ServerFrame =
  | { t: 'welcome'; you: string; room: string; maxLength: number; history: ChatMessage[] }
  | { t: 'msg'; msg: ChatMessage }
  | { t: 'ack'; nonce: string; id: number }
  | { t: 'error'; code: 'too_long' | 'bad_frame' | 'empty' | 'no_partner'; message: string; nonce?: string; length?: number; maxLength?: number }
  | { t: 'room'; maxLength: number }
  | { t: 'presence'; users: string[] }
  | { t: 'video-waiting' }
  | { t: 'video-paired'; partner: string; initiator: boolean }
  | { t: 'video-hangup'; reason: 'next' | 'left' | 'stop' }
  | { t: 'signal'; from: string; payload: unknown };

/** Upper bound on one frame: anything larger is refused before parsing. */
export const MAX_FRAME_BYTES = 256 * 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a frame sent by a page. Hostile input yields null rather than throwing. */
export function parseClientFrame(raw: string): ClientFrame | null {
  if (raw.length > MAX_FRAME_BYTES) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(v)) return null;
  switch (v.t) {
    case 'send': {
      if (typeof v.text !== 'string') return null;
      if (v.nonce !== undefined && typeof v.nonce !== 'string') return null;
      if (v.replyTo !== undefined && !(Number.isSafeInteger(v.replyTo) && (v.replyTo as number) > 0)) return null;
      const frame: Extract<ClientFrame, { t: 'send' }> = { t: 'send', text: v.text };
      if (typeof v.nonce === 'string') frame.nonce = v.nonce;
      if (typeof v.replyTo === 'number') frame.replyTo = v.replyTo;
      return frame;
    }
    case 'video-start':
    case 'video-next':
    case 'video-stop':
      return { t: v.t };
    case 'signal':
      return { t: 'signal', payload: v.payload };
    default:
      return null;
  }
}

/** Parses a frame from the server (the pages trust their own server, but stay robust). */
export function parseServerFrame(raw: string): ServerFrame | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (!isRecord(v) || typeof v.t !== 'string') return null;
    return v as unknown as ServerFrame;
  } catch {
    return null;
  }
}

/**
 * Room kinds, chosen by the join that creates the room (`?kind=`): 'chat' keeps history for
 * everyone; 'strangers' is a random-chat room: text goes only to one's current partner and is
 * never stored, as on Ome.tv-like sites.
 */
export type RoomKind = 'chat' | 'strangers';

/** Valid room names and handles: what fits in a URL path segment without escaping surprises. */
export const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export const DEFAULT_MAX_LENGTH = 2000;
