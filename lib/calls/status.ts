/**
 * The truth about one call, from the worker's per-transform counters and the browser's own RTP
 * statistics: encrypted, not encrypted, waiting for keys, or failing (with the reason). Also
 * checks that every transform actually runs: a direction whose packets flow while its transform
 * saw no frame means frames bypass Veil (e.g. a receiver script transform Chromium skipped).
 */
import type { KindCounters, TransformStats } from '../media/transform.ts';

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

export interface PlatformCounts {
  /** outbound RTP packets sent (audio + video) */
  packetsSent: number;
  /** inbound RTP packets received (audio + video) */
  packetsReceived: number;
}

export interface ReportInput {
  transforms: ReadonlyArray<TransformStats>;
  pipeline: Pipeline;
  keys: KeyState;
  strict: boolean;
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
  const p = input.platform;
  if (p !== null) {
    if (p.packetsSent >= BYPASS_PACKETS && send.framesIn === 0) return failing('outgoing media does not pass through Veil');
    if (p.packetsReceived >= BYPASS_PACKETS && receive.framesIn === 0) return failing('incoming media does not pass through Veil');
  }
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
 * The browser's RTP counts (getStats, not free) only matter while a direction's transforms have
 * seen no frame: once both directions have, the bypass check above cannot fire.
 */
export function bypassCheckNeeded(transforms: ReadonlyArray<TransformStats>): boolean {
  let send = 0;
  let receive = 0;
  for (const t of transforms) {
    const n = t.audio.framesIn + t.video.framesIn;
    if (t.direction === 'send') send += n;
    else receive += n;
  }
  return send === 0 || receive === 0;
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
