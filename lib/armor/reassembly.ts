import { MAX_FRAGMENT_COUNT } from './fragment.ts';

/**
 * Reassembles fragments into messages with hard caps, because the fragments come from the chat
 * site, which may be hostile (OTR's fragment parsers had buffer-overflow CVEs).
 * Memory is bounded by maxBufferedBytes plus per-fragment bookkeeping: every stored fragment holds
 * at least one byte, so slots never outnumber bytes.
 */
export interface ReassemblerOptions {
  /** Largest reassembled message. Default 256 KiB. */
  maxMessageBytes?: number;
  /** Open (incomplete) messages; opening one more evicts the oldest. Default 64. */
  maxBuffers?: number;
  /** Bytes held across all open messages; oldest are evicted to make room. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Age (ms since the first fragment) after which an open message is dropped. Default 10 min. */
  maxAgeMs?: number;
  /** Largest fragment count accepted. Default MAX_FRAGMENT_COUNT (1024). */
  maxCount?: number;
}

export interface FragmentInput {
  id: string;
  index: number;
  count: number;
  bytes: Uint8Array;
}

export type ReassemblyErrorCode =
  | 'bad-count' // count < 2 or above maxCount
  | 'bad-index' // index not an integer in [0, count)
  | 'empty-fragment' // no data bytes
  | 'count-mismatch' // count differs from earlier fragments of the same id
  | 'slot-conflict' // a different payload for a slot already filled
  | 'too-large'; // the message would exceed maxMessageBytes (its buffer is dropped)

/** An open message dropped by a cap, reported so callers can tell the user. */
export interface ReassemblyDrop {
  id: string;
  channel: string;
  reason: 'expired' | 'evicted';
  received: number;
  count: number;
}

export type ReassemblyResult = (
  | { status: 'incomplete'; id: string; received: number; count: number; duplicate: boolean }
  | { status: 'complete'; id: string; bytes: Uint8Array }
  | { status: 'error'; id: string; error: { code: ReassemblyErrorCode; message: string } }
) & { dropped: ReassemblyDrop[] };

interface Buffer {
  id: string;
  channel: string;
  count: number;
  createdAt: number;
  bytes: number;
  slots: Map<number, Uint8Array>;
}

const DEFAULTS: Required<ReassemblerOptions> = {
  maxMessageBytes: 256 * 1024,
  maxBuffers: 64,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxAgeMs: 10 * 60 * 1000,
  maxCount: MAX_FRAGMENT_COUNT,
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Reassembler {
  private readonly opts: Required<ReassemblerOptions>;
  // Insertion order is creation order, so the first entry is always the oldest buffer.
  private readonly buffers = new Map<string, Buffer>();
  private totalBytes = 0;

  constructor(options: ReassemblerOptions = {}) {
    const opts = { ...DEFAULTS, ...options };
    for (const [name, value] of Object.entries(opts)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
    }
    if (opts.maxMessageBytes > opts.maxBufferedBytes) throw new RangeError('maxMessageBytes exceeds maxBufferedBytes');
    if (opts.maxCount > 0xffff) throw new RangeError('maxCount exceeds the 16-bit wire field');
    if (opts.maxCount < 2) throw new RangeError('maxCount must allow at least 2 fragments');
    this.opts = opts;
  }

  get openBuffers(): number {
    return this.buffers.size;
  }

  get bufferedBytes(): number {
    return this.totalBytes;
  }

  /**
   * Adds one fragment. `channel` scopes ids (e.g. conversation + sender) so two senders' random
   * ids cannot collide into one buffer. A rejected fragment leaves existing state unchanged,
   * except 'too-large', which drops the buffer that can no longer complete.
   */
  add(fragment: FragmentInput, now: number, channel = ''): ReassemblyResult {
    const dropped = this.sweep(now);
    const { id, index, count, bytes } = fragment;
    const error = (code: ReassemblyErrorCode, message: string): ReassemblyResult => ({
      status: 'error',
      id,
      error: { code, message },
      dropped,
    });
    if (!Number.isSafeInteger(count) || count < 2 || count > this.opts.maxCount) {
      return error('bad-count', `fragment count ${count} outside 2..${this.opts.maxCount}`);
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= count) return error('bad-index', `index ${index} outside 0..${count - 1}`);
    if (bytes.length === 0) return error('empty-fragment', 'fragment carries no data');

    const key = `${channel.length}:${channel}:${id}`;
    let buffer = this.buffers.get(key);
    if (buffer !== undefined) {
      if (buffer.count !== count) return error('count-mismatch', `count ${count} differs from earlier ${buffer.count}`);
      const existing = buffer.slots.get(index);
      if (existing !== undefined) {
        if (!sameBytes(existing, bytes)) return error('slot-conflict', `different data for fragment ${index}`);
        return { status: 'incomplete', id, received: buffer.slots.size, count, duplicate: true, dropped };
      }
      if (buffer.bytes + bytes.length > this.opts.maxMessageBytes) {
        this.remove(key, buffer);
        return error('too-large', `message exceeds ${this.opts.maxMessageBytes} bytes`);
      }
    } else {
      if (bytes.length > this.opts.maxMessageBytes) return error('too-large', `message exceeds ${this.opts.maxMessageBytes} bytes`);
      while (this.buffers.size >= this.opts.maxBuffers) this.evictOldest(dropped);
      buffer = { id, channel, count, createdAt: now, bytes: 0, slots: new Map() };
      this.buffers.set(key, buffer);
    }
    while (this.totalBytes + bytes.length > this.opts.maxBufferedBytes) this.evictOldest(dropped, key);

    // Copy: the caller's array may be a view into a larger buffer we must not keep alive.
    buffer.slots.set(index, bytes.slice());
    buffer.bytes += bytes.length;
    this.totalBytes += bytes.length;
    if (buffer.slots.size < count) {
      return { status: 'incomplete', id, received: buffer.slots.size, count, duplicate: false, dropped };
    }
    const out = new Uint8Array(buffer.bytes);
    let offset = 0;
    for (let k = 0; k < count; k++) {
      const part = buffer.slots.get(k) as Uint8Array;
      out.set(part, offset);
      offset += part.length;
    }
    this.remove(key, buffer);
    return { status: 'complete', id, bytes: out, dropped };
  }

  /** Drops buffers older than maxAgeMs; add() calls this itself. */
  sweep(now: number): ReassemblyDrop[] {
    const dropped: ReassemblyDrop[] = [];
    for (const [key, buffer] of this.buffers) {
      if (now - buffer.createdAt > this.opts.maxAgeMs) {
        this.remove(key, buffer);
        dropped.push(this.describe(buffer, 'expired'));
      }
    }
    return dropped;
  }

  private evictOldest(dropped: ReassemblyDrop[], keep?: string): void {
    for (const [key, buffer] of this.buffers) {
      if (key === keep) continue;
      this.remove(key, buffer);
      dropped.push(this.describe(buffer, 'evicted'));
      return;
    }
    // Unreachable while maxMessageBytes <= maxBufferedBytes (checked in the constructor).
    throw new Error('reassembler invariant: nothing left to evict');
  }

  private remove(key: string, buffer: Buffer): void {
    this.buffers.delete(key);
    this.totalBytes -= buffer.bytes;
  }

  private describe(buffer: Buffer, reason: ReassemblyDrop['reason']): ReassemblyDrop {
    return { id: buffer.id, channel: buffer.channel, reason, received: buffer.slots.size, count: buffer.count };
  }
}
