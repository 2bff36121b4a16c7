/**
 * Messages between the main-world call script and the media transform worker.
 *
 * Trust: the main-world script runs in the page's JavaScript realm. Veil creates the worker at
 * document_start, before page scripts, keeps the Worker object in a closure and immediately sends
 * one `veil-media-init` message carrying a MessagePort (the control port). The worker accepts
 * exactly one init on its global scope and, after it, control messages ONLY from that port;
 * anything else arriving on the global scope is rejected and counted. So a page that merely
 * gets hold of the worker cannot install keys, read stats or change the policy, and no message
 * at all can turn encryption off once it has started (transforms latch; see transform.ts).
 *
 * Limits, honestly: the page shares the realm with the main-world script. A page that runs
 * before Veil, or that finds a way into Veil's closure, can intercept the port, the keys and the
 * camera track itself; the page owns the media before encryption. These messages protect against
 * accidental or opportunistic interference, not against the page (see docs/media.md).
 *
 * Every message is validated on receipt; invalid ones yield a typed rejection, never a throw.
 */

import type { CodecName } from './codecs/types.ts';
import { MAX_KEY_ID } from './frame-format.ts';
import { RAW_KEY_LENGTH } from './key-ring.ts';
import { err, ok, type Result } from '../result.ts';
import type { Direction, MediaKind, TransformStats } from './transform.ts';

export const MEDIA_PROTOCOL_VERSION = 1;

/** Call-wide policy; each transform maps it to its direction (encrypt on send, decrypt on receive). */
export type MediaPolicy = 'passthrough' | 'encrypt' | 'strict';

/** Minimal MessagePort shape, so this module type-checks without DOM types. */
export interface MessagePortLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  start?(): void;
}

export interface ReaderLike<T> {
  read(): Promise<{ done: boolean; value?: T }>;
  releaseLock(): void;
}
export interface WriterLike<T> {
  write(chunk: T): Promise<void>;
  close(): Promise<void>;
  releaseLock(): void;
}
export interface ReadableLike<T> {
  getReader(): ReaderLike<T>;
}
export interface WritableLike<T> {
  getWriter(): WriterLike<T>;
}

export interface InitMessage {
  v: 1;
  type: 'veil-media-init';
  port: MessagePortLike;
  policy: MediaPolicy;
}

export interface TransformDescriptor {
  transformId: string;
  direction: Direction;
  kind?: MediaKind;
  payloadTypes?: Record<number, CodecName>;
}

/** `options` of `new RTCRtpScriptTransform(worker, options)` (Firefox path). */
export interface ScriptTransformOptions extends TransformDescriptor {
  v: 1;
  veil: 'media';
}

export type ControlMessage =
  | { v: 1; type: 'set-send-key'; epoch: number; key: Uint8Array }
  | { v: 1; type: 'add-receive-key'; epoch: number; key: Uint8Array }
  | { v: 1; type: 'forget-receive-key'; epoch: number }
  | { v: 1; type: 'set-policy'; policy: MediaPolicy }
  | { v: 1; type: 'stats-request'; requestId: number }
  | { v: 1; type: 'end-call' }
  /** Chromium path: streams from createEncodedStreams(), transferred with this message. */
  | ({ v: 1; type: 'attach-streams'; readable: ReadableLike<unknown>; writable: WritableLike<unknown> } & TransformDescriptor);

export type WorkerEvent =
  | { v: 1; type: 'ready' }
  | { v: 1; type: 'ack'; of: ControlMessage['type'] }
  | { v: 1; type: 'rejected'; of: string; reason: string }
  | { v: 1; type: 'stats'; requestId: number; rejectedMessages: number; transforms: Array<{ transformId: string; stats: TransformStats }> }
  | { v: 1; type: 'need-keyframe'; transformId: string; direction: Direction };

export interface ProtocolError {
  code: 'invalid-message';
  detail: string;
}

type Rec = Record<string, unknown>;

function isRecord(x: unknown): x is Rec {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function bad(detail: string): { ok: false; error: ProtocolError } {
  return err({ code: 'invalid-message', detail });
}

function isEpoch(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= MAX_KEY_ID;
}

function isPolicy(x: unknown): x is MediaPolicy {
  return x === 'passthrough' || x === 'encrypt' || x === 'strict';
}

function isPort(x: unknown): x is MessagePortLike {
  return isRecord(x) && typeof x['postMessage'] === 'function' && 'onmessage' in x;
}

const CODECS: readonly CodecName[] = ['vp8', 'vp9', 'av1', 'h264', 'opus'];

function parseDescriptor(m: Rec): Result<TransformDescriptor, ProtocolError> {
  const id = m['transformId'];
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) return bad('transformId');
  const direction = m['direction'];
  if (direction !== 'send' && direction !== 'receive') return bad('direction');
  const out: TransformDescriptor = { transformId: id, direction };
  const kind = m['kind'];
  if (kind !== undefined) {
    if (kind !== 'audio' && kind !== 'video') return bad('kind');
    out.kind = kind;
  }
  const pts = m['payloadTypes'];
  if (pts !== undefined) {
    if (!isRecord(pts)) return bad('payloadTypes');
    const map: Record<number, CodecName> = {};
    const entries = Object.entries(pts);
    if (entries.length > 128) return bad('payloadTypes size');
    for (const [k, v] of entries) {
      const pt = Number(k);
      if (!Number.isInteger(pt) || pt < 0 || pt > 127 || typeof v !== 'string' || !CODECS.includes(v as CodecName)) return bad('payloadTypes entry');
      map[pt] = v as CodecName;
    }
    out.payloadTypes = map;
  }
  return ok(out);
}

function isStreamPair(m: Rec): boolean {
  const r = m['readable'];
  const w = m['writable'];
  return isRecord(r) && typeof r['getReader'] === 'function' && isRecord(w) && typeof w['getWriter'] === 'function';
}

export function parseInitMessage(data: unknown): Result<InitMessage, ProtocolError> {
  if (!isRecord(data) || data['v'] !== MEDIA_PROTOCOL_VERSION || data['type'] !== 'veil-media-init') return bad('not an init message');
  if (!isPort(data['port'])) return bad('port');
  if (!isPolicy(data['policy'])) return bad('policy');
  return ok({ v: 1, type: 'veil-media-init', port: data['port'], policy: data['policy'] });
}

export function parseScriptTransformOptions(data: unknown): Result<ScriptTransformOptions, ProtocolError> {
  if (!isRecord(data) || data['v'] !== MEDIA_PROTOCOL_VERSION || data['veil'] !== 'media') return bad('not veil transform options');
  const d = parseDescriptor(data);
  if (!d.ok) return d;
  return ok({ v: 1, veil: 'media', ...d.value });
}

export function parseControlMessage(data: unknown): Result<ControlMessage, ProtocolError> {
  if (!isRecord(data)) return bad('not an object');
  if (data['v'] !== MEDIA_PROTOCOL_VERSION) return bad('version');
  const type = data['type'];
  switch (type) {
    case 'set-send-key':
    case 'add-receive-key': {
      const key = data['key'];
      if (!(key instanceof Uint8Array) || key.length !== RAW_KEY_LENGTH) return bad('key');
      if (!isEpoch(data['epoch'])) return bad('epoch');
      return ok({ v: 1, type, epoch: data['epoch'], key });
    }
    case 'forget-receive-key':
      if (!isEpoch(data['epoch'])) return bad('epoch');
      return ok({ v: 1, type, epoch: data['epoch'] });
    case 'set-policy':
      if (!isPolicy(data['policy'])) return bad('policy');
      return ok({ v: 1, type, policy: data['policy'] });
    case 'stats-request': {
      const id = data['requestId'];
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) return bad('requestId');
      return ok({ v: 1, type, requestId: id });
    }
    case 'end-call':
      return ok({ v: 1, type });
    case 'attach-streams': {
      if (!isStreamPair(data)) return bad('streams');
      const d = parseDescriptor(data);
      if (!d.ok) return d;
      return ok({
        v: 1,
        type,
        ...d.value,
        readable: data['readable'] as ReadableLike<unknown>,
        writable: data['writable'] as WritableLike<unknown>,
      });
    }
    default:
      return bad('type');
  }
}
