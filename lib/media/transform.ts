/**
 * The per-frame pipeline of one RTP sender or receiver: decides, for each encoded frame, what to
 * enqueue (encrypted / decrypted / unchanged) or to drop, and counts every decision so the UI
 * can show the truth and Veil can verify that each transform actually runs.
 *
 * Modes:
 *  - passthrough: no session yet. Frames pass unchanged, counted as "not encrypted". Refused
 *    once encryption has started (latched): a call never silently falls back to clear.
 *  - encrypt (send) / decrypt (receive): opportunistic until the first key is installed, then
 *    latched: from then on no frame leaves unencrypted and undecryptable frames are dropped
 *    (for audio, dropping = silence).
 *  - strict: latched from the start: nothing passes before keys.
 */

import { codecFromMimeType, rulesFor } from './codecs/index.ts';
import type { CodecName } from './codecs/types.ts';
import { chachaAead, decryptFrame, encryptFrame, type SyncAead } from './frame-crypto.ts';
import type { MediaKeyRing } from './key-ring.ts';
import { looksPlain, looksVeilEncrypted } from './plain-detect.ts';
import type { MediaErrorCode } from './errors.ts';

export type Direction = 'send' | 'receive';
export type MediaKind = 'audio' | 'video';
export type TransformMode = 'passthrough' | 'encrypt' | 'decrypt' | 'strict';

export interface FrameMetadataLike {
  mimeType?: string;
  payloadType?: number;
  synchronizationSource?: number;
}

/** The part of RTCEncodedVideoFrame / RTCEncodedAudioFrame this pipeline uses. */
export interface EncodedFrameLike {
  data: ArrayBuffer;
  type?: 'key' | 'delta' | 'empty';
  getMetadata?(): FrameMetadataLike;
}

export type DropReason = MediaErrorCode | 'plain-frame';

export type FrameDecision =
  | { action: 'enqueue'; data: ArrayBuffer; outcome: 'encrypted' | 'decrypted' | 'passthrough' | 'empty' }
  | { action: 'drop'; reason: DropReason };

export interface KindCounters {
  framesIn: number;
  encrypted: number;
  decrypted: number;
  passthrough: number;
  empty: number;
  dropped: Record<DropReason, number>;
  /** receive side: frames that parsed as plain codec payloads while encryption was expected */
  plainWhileEncrypted: number;
}

export type TransformStatus = 'not-encrypted' | 'waiting-for-keys' | 'encrypted' | 'failing';

export interface TransformStats {
  direction: Direction;
  mode: TransformMode;
  latched: boolean;
  status: TransformStatus;
  needKeyframe: boolean;
  /** receive side: at least one frame decrypted, so the peer is encrypting with our keys */
  peerEncrypting: boolean;
  lastEpoch: number | null;
  audio: KindCounters;
  video: KindCounters;
}

export interface TransformOptions {
  direction: Direction;
  mode: TransformMode;
  ring: MediaKeyRing;
  /** Known kind of the track; otherwise inferred from the mime type or the frame shape. */
  kind?: MediaKind;
  /** payload type -> codec, from the negotiated SDP, for frames without a mime type. */
  payloadTypes?: Readonly<Record<number, CodecName>>;
  aead?: SyncAead;
  /** Consecutive drops after which the status turns to "failing". */
  failingAfter?: number;
  onNeedKeyframe?: (direction: Direction) => void;
}

const DROP_REASONS: readonly DropReason[] = [
  'truncated', 'malformed', 'unknown-codec', 'bad-trailer', 'unknown-key', 'replay', 'auth-failed', 'no-key', 'counter-exhausted', 'plain-frame',
];

function emptyCounters(): KindCounters {
  const dropped = {} as Record<DropReason, number>;
  for (const r of DROP_REASONS) dropped[r] = 0;
  return { framesIn: 0, encrypted: 0, decrypted: 0, passthrough: 0, empty: 0, dropped, plainWhileEncrypted: 0 };
}

function cloneCounters(c: KindCounters): KindCounters {
  return { ...c, dropped: { ...c.dropped } };
}

export type SetModeResult = { ok: true } | { ok: false; error: 'latched' | 'wrong-direction' };

/**
 * The frame's new data as an ArrayBuffer. The crypto layer returns freshly allocated bytes (never
 * a view of the incoming frame): when they fill their buffer exactly, that buffer is handed over
 * as it is, saving a copy of every frame; otherwise the bytes are copied out.
 */
export function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return buf;
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

export class MediaTransform {
  readonly direction: Direction;
  private mode: TransformMode;
  private latched: boolean;
  private readonly ring: MediaKeyRing;
  private readonly kind: MediaKind | undefined;
  private readonly payloadTypes: Readonly<Record<number, CodecName>>;
  private readonly aead: SyncAead;
  private readonly failingAfter: number;
  private readonly onNeedKeyframe: ((d: Direction) => void) | undefined;
  private readonly counters: Record<MediaKind, KindCounters> = { audio: emptyCounters(), video: emptyCounters() };
  private dropStreak = 0;
  private needKeyframe = false;
  private lastEpoch: number | null = null;
  private seenSendGeneration: number;
  private seenReceiveGeneration: number;
  /** Metadata of this stream's last video key frame (see metadataOf). */
  private keyFrameMeta: FrameMetadataLike | null = null;

  constructor(options: TransformOptions) {
    this.direction = options.direction;
    const check = MediaTransform.modeAllowed(options.direction, options.mode);
    if (!check) throw new Error(`mode ${options.mode} is not valid for a ${options.direction} transform`);
    this.mode = options.mode;
    this.latched = options.mode === 'strict';
    this.ring = options.ring;
    this.kind = options.kind;
    this.payloadTypes = options.payloadTypes ?? {};
    this.aead = options.aead ?? chachaAead;
    this.failingAfter = options.failingAfter ?? 10;
    this.onNeedKeyframe = options.onNeedKeyframe;
    this.seenSendGeneration = this.ring.sendGeneration;
    this.seenReceiveGeneration = this.ring.receiveGeneration;
  }

  static modeAllowed(direction: Direction, mode: TransformMode): boolean {
    if (mode === 'passthrough' || mode === 'strict') return true;
    return direction === 'send' ? mode === 'encrypt' : mode === 'decrypt';
  }

  /** Mode changes never turn encryption off once it started (latched); they can only tighten. */
  setMode(mode: TransformMode): SetModeResult {
    if (!MediaTransform.modeAllowed(this.direction, mode)) return { ok: false, error: 'wrong-direction' };
    if (mode === 'passthrough' && this.isLatched()) return { ok: false, error: 'latched' };
    this.mode = mode;
    if (mode === 'strict') this.latched = true;
    return { ok: true };
  }

  /** Returns and clears the keyframe request flag. */
  takeNeedKeyframe(): boolean {
    const v = this.needKeyframe;
    this.needKeyframe = false;
    return v;
  }

  process(frame: EncodedFrameLike): FrameDecision {
    const meta = this.metadataOf(frame);
    const kind = this.kindOf(frame, meta);
    const c = this.counters[kind];
    c.framesIn++;
    this.watchKeyChanges();
    const data = new Uint8Array(frame.data);
    if (data.length === 0) {
      // Nothing to protect: an empty frame carries no media.
      c.empty++;
      return { action: 'enqueue', data: frame.data, outcome: 'empty' };
    }
    if (this.mode === 'passthrough') return this.pass(c, frame.data);
    const codec = this.codecOf(meta);
    return this.direction === 'send' ? this.send(c, codec, data, frame.data) : this.receive(c, codec, data, frame.data);
  }

  stats(): TransformStats {
    return {
      direction: this.direction,
      mode: this.mode,
      latched: this.isLatched(),
      status: this.status(),
      needKeyframe: this.needKeyframe,
      peerEncrypting: this.direction === 'receive' && this.counters.audio.decrypted + this.counters.video.decrypted > 0,
      lastEpoch: this.lastEpoch,
      audio: cloneCounters(this.counters.audio),
      video: cloneCounters(this.counters.video),
    };
  }

  private isLatched(): boolean {
    if (!this.latched && this.mode !== 'passthrough') {
      const keyed = this.direction === 'send' ? this.ring.hasSendKey() || this.ring.sendEpoch !== null : this.ring.hasReceiveKey();
      if (keyed) this.latched = true;
    }
    return this.latched;
  }

  private status(): TransformStatus {
    const total = (k: 'encrypted' | 'decrypted' | 'passthrough'): number => this.counters.audio[k] + this.counters.video[k];
    if (this.mode === 'passthrough') return 'not-encrypted';
    if (!this.isLatched()) return total('passthrough') > 0 ? 'not-encrypted' : 'waiting-for-keys';
    if (this.dropStreak >= this.failingAfter) {
      const haveKey = this.direction === 'send' ? this.ring.hasSendKey() : this.ring.hasReceiveKey();
      return haveKey ? 'failing' : 'waiting-for-keys';
    }
    return total(this.direction === 'send' ? 'encrypted' : 'decrypted') > 0 ? 'encrypted' : 'waiting-for-keys';
  }

  private watchKeyChanges(): void {
    if (this.direction === 'send' && this.ring.sendGeneration !== this.seenSendGeneration) {
      this.seenSendGeneration = this.ring.sendGeneration;
      this.raiseNeedKeyframe(); // the receiver may have dropped frames around the switch
    }
    if (this.direction === 'receive' && this.ring.receiveGeneration !== this.seenReceiveGeneration) {
      this.seenReceiveGeneration = this.ring.receiveGeneration;
      if (this.dropStreak > 0) this.raiseNeedKeyframe();
    }
  }

  private raiseNeedKeyframe(): void {
    this.needKeyframe = true;
    this.onNeedKeyframe?.(this.direction);
  }

  private pass(c: KindCounters, data: ArrayBuffer): FrameDecision {
    c.passthrough++;
    return { action: 'enqueue', data, outcome: 'passthrough' };
  }

  private drop(c: KindCounters, reason: DropReason): FrameDecision {
    c.dropped[reason]++;
    this.dropStreak++;
    return { action: 'drop', reason };
  }

  private send(c: KindCounters, codec: CodecName | null, data: Uint8Array, original: ArrayBuffer): FrameDecision {
    if (!this.isLatched() && !this.ring.hasSendKey()) return this.pass(c, original);
    if (codec === null) return this.drop(c, 'unknown-codec');
    const r = encryptFrame(this.ring, rulesFor(codec), data, this.aead);
    if (!r.ok) return this.drop(c, r.error.code);
    c.encrypted++;
    this.dropStreak = 0;
    this.lastEpoch = r.value.epoch;
    return { action: 'enqueue', data: ownArrayBuffer(r.value.data), outcome: 'encrypted' };
  }

  private receive(c: KindCounters, codec: CodecName | null, data: Uint8Array, original: ArrayBuffer): FrameDecision {
    if (codec === null) {
      if (!this.isLatched()) return this.pass(c, original);
      return this.drop(c, 'unknown-codec');
    }
    const rules = rulesFor(codec);
    if (!this.isLatched()) {
      // No keys yet: clear frames play ("not encrypted"); Veil frames wait for keys.
      return looksVeilEncrypted(rules, data) ? this.drop(c, 'no-key') : this.pass(c, original);
    }
    const r = decryptFrame(this.ring, rules, data, this.aead);
    if (!r.ok) {
      if (looksPlain(codec, rules, data)) {
        c.plainWhileEncrypted++;
        return this.drop(c, 'plain-frame');
      }
      return this.drop(c, this.ring.hasReceiveKey() ? r.error.code : 'no-key');
    }
    if (this.dropStreak > 0 || (this.lastEpoch !== null && r.value.epoch !== this.lastEpoch)) this.raiseNeedKeyframe();
    c.decrypted++;
    this.dropStreak = 0;
    this.lastEpoch = r.value.epoch;
    return { action: 'enqueue', data: ownArrayBuffer(r.value.data), outcome: 'decrypted' };
  }

  /**
   * getMetadata() builds a new dictionary on every call (for video with dependency lists too),
   * for every frame in both directions. A video stream changes codec only at a key frame (no
   * decoder starts a new codec on a delta frame), so delta frames reuse the metadata of the
   * stream's last key frame. Were a delta frame ever read under a stale codec, that codec's id in
   * the associated data would not match the receiver's: the frame fails to decrypt and is dropped.
   * Audio frames have no key frames: each one is read.
   */
  private metadataOf(frame: EncodedFrameLike): FrameMetadataLike {
    if (frame.type === 'delta' && this.keyFrameMeta !== null) return this.keyFrameMeta;
    const meta = safeMetadata(frame);
    if (frame.type === 'key') this.keyFrameMeta = meta;
    return meta;
  }

  private kindOf(frame: EncodedFrameLike, meta: FrameMetadataLike): MediaKind {
    if (this.kind !== undefined) return this.kind;
    const mime = meta.mimeType?.toLowerCase() ?? '';
    if (mime.startsWith('audio/')) return 'audio';
    if (mime.startsWith('video/')) return 'video';
    return frame.type === undefined ? 'audio' : 'video';
  }

  private codecOf(meta: FrameMetadataLike): CodecName | null {
    if (typeof meta.mimeType === 'string' && meta.mimeType.length > 0) return codecFromMimeType(meta.mimeType);
    if (typeof meta.payloadType === 'number') return this.payloadTypes[meta.payloadType] ?? null;
    return null;
  }
}

/** getMetadata() is page-reachable code in the Chromium path; never let it throw into the pipeline. */
function safeMetadata(frame: EncodedFrameLike): FrameMetadataLike {
  try {
    const m = frame.getMetadata?.();
    return m !== null && typeof m === 'object' ? m : {};
  } catch {
    return {};
  }
}
