/**
 * The truth about one call, from the worker's per-transform counters and the browser's own RTP
 * statistics: encrypted, not encrypted, waiting for keys, or failing (with the reason). Also
 * checks that every transform actually runs: an RTP stream whose packets flow while Veil's
 * transform on that transceiver (matched by mid; by direction and kind where a mid is unknown)
 * saw no frame means frames bypass Veil (e.g. a receiver script transform Chromium skipped), even
 * while other streams of the call pass through Veil.
 */
import type { KindCounters, MediaKind, TransformStats } from '../media/transform.ts';

export type CallStatus = 'not-encrypted' | 'waiting-for-keys' | 'encrypted' | 'failing';
export type Pipeline = 'worker' | 'main-thread' | 'none';
export type KeyState = 'unknown' | 'no-session' | 'requested' | 'installed' | 'refused';

export interface DirectionCounters {
  framesIn: number;
  /** encrypted (send) or decrypted (receive) */
  protected: number;
  passthrough: number;
  dropped: number;
  /** drop counts by reason, only non-zero ones */
  drops: Record<string, number>;
}

export interface CallReport {
  status: CallStatus;
  reason: string | null;
  pipeline: Pipeline;
  keys: KeyState;
  strict: boolean;
  send: DirectionCounters;
  receive: DirectionCounters;
  sendEpoch: number | null;
  receiveEpoch: number | null;
  peerEncrypting: boolean;
  transforms: number;
}

/** One RTP stream as the browser's getStats counts it (outbound-rtp / inbound-rtp). */
export interface PlatformStream {
  direction: 'send' | 'receive';
  kind: MediaKind;
  /** The transceiver's mid, when the browser reports it. */
  mid: string | null;
  packets: number;
}
export type PlatformCounts = ReadonlyArray<PlatformStream>;

/** A transform's counters and the mid of the transceiver it sits on (null: not known yet). */
export type WatchedTransform = TransformStats & { readonly mid?: string | null };

export interface ReportInput {
  transforms: ReadonlyArray<WatchedTransform>;
  pipeline: Pipeline;
  keys: KeyState;
  strict: boolean;
  /** The newest browser counts (they only grow, so an older reading still proves a bypass). */
  platform: PlatformCounts | null;
  /** Senders/receivers the page's connection has that got no transform (should be 0). */
  unattached: number;
}

/** Packets after which a direction whose transform saw nothing is declared bypassed. */
export const BYPASS_PACKETS = 50;

function emptyDir(): DirectionCounters {
  return { framesIn: 0, protected: 0, passthrough: 0, dropped: 0, drops: {} };
}

function addKind(d: DirectionCounters, c: KindCounters, direction: 'send' | 'receive'): void {
  d.framesIn += c.framesIn;
  d.protected += direction === 'send' ? c.encrypted : c.decrypted;
  d.passthrough += c.passthrough;
  for (const [reason, n] of Object.entries(c.dropped)) {
    if (n > 0) {
      d.dropped += n;
      d.drops[reason] = (d.drops[reason] ?? 0) + n;
    }
  }
}

/** The first stream whose packets flow while no frame of it reached Veil's transform. */
function bypassed(transforms: ReadonlyArray<WatchedTransform>, streams: PlatformCounts): string | null {
  for (const s of streams) {
    if (s.packets < BYPASS_PACKETS) continue;
    let frames = 0;
    for (const t of transforms) {
      if (t.direction !== s.direction) continue;
      // Same transceiver; a transform or stream without a mid is matched by direction and kind.
      if (s.mid !== null && t.mid != null && t.mid !== s.mid) continue;
      frames += t[s.kind].framesIn;
    }
    if (frames === 0) return `${s.direction === 'send' ? 'outgoing' : 'incoming'} ${s.kind}${s.mid === null ? '' : ` (stream ${s.mid})`} does not pass through Veil`;
  }
  return null;
}

export function buildReport(input: ReportInput): CallReport {
  const send = emptyDir();
  const receive = emptyDir();
  let sendEpoch: number | null = null;
  let receiveEpoch: number | null = null;
  let peerEncrypting = false;
  let anyFailing = false;
  let anyWaiting = false;
  let anyPlain = false;
  for (const t of input.transforms) {
    const d = t.direction === 'send' ? send : receive;
    addKind(d, t.audio, t.direction);
    addKind(d, t.video, t.direction);
    if (t.lastEpoch !== null) {
      if (t.direction === 'send') sendEpoch = Math.max(sendEpoch ?? 0, t.lastEpoch);
      else receiveEpoch = Math.max(receiveEpoch ?? 0, t.lastEpoch);
    }
    peerEncrypting ||= t.peerEncrypting;
    anyFailing ||= t.status === 'failing';
    anyWaiting ||= t.status === 'waiting-for-keys';
    anyPlain ||= t.status === 'not-encrypted';
  }
  const base = { pipeline: input.pipeline, keys: input.keys, strict: input.strict, send, receive, sendEpoch, receiveEpoch, peerEncrypting, transforms: input.transforms.length };
  const failing = (reason: string): CallReport => ({ ...base, status: 'failing', reason });

  const wantsEncryption = input.keys === 'installed' || input.strict;
  if (input.pipeline === 'none') {
    return wantsEncryption ? failing('the page blocks Veil\'s media worker; nothing is sent') : { ...base, status: 'not-encrypted', reason: 'the page blocks Veil\'s media worker' };
  }
  if (input.unattached > 0) return failing(`${input.unattached} media stream(s) without Veil's transform`);
  const bypass = input.platform === null ? null : bypassed(input.transforms, input.platform);
  if (bypass !== null) return failing(bypass);
  if (anyFailing) return failing(receive.drops['plain-frame'] ? 'the other side is not encrypting' : 'frames fail to decrypt');
  if (input.keys === 'installed') {
    if (anyWaiting || !peerEncrypting) return { ...base, status: 'waiting-for-keys', reason: peerEncrypting ? null : 'waiting for encrypted media from the other side' };
    return { ...base, status: 'encrypted', reason: null };
  }
  if (input.strict) return { ...base, status: 'waiting-for-keys', reason: 'strict calls: nothing is sent or played without an encrypted session' };
  if (input.keys === 'requested' || input.keys === 'unknown') return { ...base, status: anyPlain ? 'not-encrypted' : 'waiting-for-keys', reason: null };
  return { ...base, status: 'not-encrypted', reason: input.keys === 'no-session' ? 'no encrypted chat session with this person' : 'Veil could not get call keys' };
}

/**
 * When to ask the browser for its RTP counts (getStats is not free). Never once every transform
 * has shown Veil a frame (the bypass check can no longer fire); otherwise at most every
 * `intervalMs`. Between readings the report uses the newest one.
 */
export class BypassWatch {
  private lastAt = Number.NEGATIVE_INFINITY;
  private counts: PlatformCounts | null = null;

  constructor(private readonly intervalMs = 2000) {}

  due(transforms: ReadonlyArray<TransformStats>, now: number): boolean {
    const allFlowing = transforms.length > 0 && transforms.every((t) => t.audio.framesIn + t.video.framesIn > 0);
    return !allFlowing && now - this.lastAt >= this.intervalMs;
  }

  record(counts: PlatformCounts | null, now: number): void {
    this.lastAt = now;
    if (counts !== null) this.counts = counts;
  }

  get latest(): PlatformCounts | null {
    return this.counts;
  }
}

/** Everything a report says except its frame counters. */
export function reportSignature(r: CallReport): string {
  return [r.status, r.reason, r.pipeline, r.keys, r.strict, r.sendEpoch, r.receiveEpoch, r.peerEncrypting, r.transforms, r.send.dropped > 0, r.receive.dropped > 0].join('|');
}

/**
 * Which status reports go out: a change in what the report says goes at once; otherwise one
 * heartbeat (fresh counters) per `heartbeatMs`. The overlay calls a report older than 5 s stale.
 */
export class ReportGate {
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastSig = '';

  constructor(private readonly heartbeatMs = 1900) {}

  shouldSend(report: CallReport, now: number): boolean {
    const sig = reportSignature(report);
    if (sig === this.lastSig && now - this.lastAt < this.heartbeatMs) return false;
    this.lastSig = sig;
    this.lastAt = now;
    return true;
  }
}
