// Wire format between the chat-site pages and the chat-site server (JSON over one WebSocket).
// Shared by the Node server and the browser bundles, so it stays free of Node and DOM APIs.

export interface ChatMessage {
  id: number;
  author: string;
  text: string;
  at: number;
}

export type ClientFrame =
  | { t: 'send'; text: string; nonce?: string }
  | { t: 'video-start' }
  | { t: 'video-next' }
  | { t: 'video-stop' }
  | { t: 'signal'; payload: unknown };

export type ServerFrame =
  | { t: 'welcome'; you: string; room: string; maxLength: number; history: ChatMessage[] }
  | { t: 'msg'; msg: ChatMessage }
  | { t: 'ack'; nonce: string; id: number }
  | { t: 'error'; code: 'too_long' | 'bad_frame' | 'empty'; message: string; nonce?: string; length?: number; maxLength?: number }
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
    case 'send':
      if (typeof v.text !== 'string') return null;
      if (v.nonce !== undefined && typeof v.nonce !== 'string') return null;
      return v.nonce === undefined ? { t: 'send', text: v.text } : { t: 'send', text: v.text, nonce: v.nonce };
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

/** Valid room names and handles: what fits in a URL path segment without escaping surprises. */
export const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export const DEFAULT_MAX_LENGTH = 2000;
