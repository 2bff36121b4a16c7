/**
 * When the main-world script installs which media key in the worker. Pure: the caller feeds the
 * clock and what the worker reports, and applies the returned key actions.
 *
 * Send: epoch 0 at start, then the next epoch every `rotateMs` (or after `rotateFrames` frames),
 * with no text message: both sides derive every epoch from the call's chain keys.
 * Receive: always one epoch of look-ahead installed (current + next), so the first frame under
 * the peer's next epoch already decrypts; when a frame under the newest installed epoch has
 * decrypted, the one after it is installed and the chain below the epoch in use is forgotten.
 * The worker's ring keeps the previous epoch as its grace key for frames still in flight.
 */
import type { EpochChain } from './call-keys.ts';

export const DEFAULT_ROTATE_MS = 30_000;
export const DEFAULT_ROTATE_FRAMES = 1 << 20;

export type KeyAction =
  | { type: 'set-send-key'; epoch: number; key: Uint8Array }
  | { type: 'add-receive-key'; epoch: number; key: Uint8Array };

export interface ScheduleOptions {
  rotateMs?: number;
  rotateFrames?: number;
}

export interface ScheduleInput {
  now: number;
  /** Frames encrypted under the current send epoch so far (from the worker's counters). */
  framesSentTotal: number;
  /** Highest epoch any receive transform has decrypted, or null. */
  receivedEpoch: number | null;
}

export class KeySchedule {
  private readonly rotateMs: number;
  private readonly rotateFrames: number;
  private sendEpoch = -1;
  private sendSince = 0;
  private framesAtRotation = 0;
  private recvInstalled = -1;
  private stopped = false;

  constructor(
    private readonly send: EpochChain,
    private readonly recv: EpochChain,
    opts: ScheduleOptions = {},
  ) {
    this.rotateMs = opts.rotateMs ?? DEFAULT_ROTATE_MS;
    this.rotateFrames = opts.rotateFrames ?? DEFAULT_ROTATE_FRAMES;
  }

  get currentSendEpoch(): number {
    return this.sendEpoch;
  }

  get highestReceiveEpoch(): number {
    return this.recvInstalled;
  }

  /** First keys: send epoch 0, receive epochs 0 and 1. */
  start(now: number, framesSentTotal = 0): KeyAction[] {
    if (this.sendEpoch >= 0 || this.stopped) return [];
    return [...this.rotateSend(now, framesSentTotal), ...this.installReceive(1)];
  }

  tick(input: ScheduleInput): KeyAction[] {
    if (this.sendEpoch < 0 || this.stopped) return [];
    const out: KeyAction[] = [];
    const due = input.now - this.sendSince >= this.rotateMs || input.framesSentTotal - this.framesAtRotation >= this.rotateFrames;
    if (due) out.push(...this.rotateSend(input.now, input.framesSentTotal));
    const seen = input.receivedEpoch;
    if (seen !== null && Number.isSafeInteger(seen) && seen >= this.recv.floor && seen >= this.recvInstalled) {
      // The peer reached our newest key: install the one after it, forget what lies below.
      out.push(...this.installReceive(seen + 1));
      this.recv.forgetBefore(seen);
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    this.send.wipe();
    this.recv.wipe();
  }

  private rotateSend(now: number, frames: number): KeyAction[] {
    const next = this.sendEpoch + 1;
    const key = this.send.keyAt(next);
    if (key === null) return [];
    this.sendEpoch = next;
    this.sendSince = now;
    this.framesAtRotation = frames;
    this.send.forgetBefore(next); // earlier send epochs can never be derived again
    return [{ type: 'set-send-key', epoch: next, key }];
  }

  private installReceive(upTo: number): KeyAction[] {
    const out: KeyAction[] = [];
    for (let e = Math.max(this.recvInstalled + 1, this.recv.floor); e <= upTo; e++) {
      const key = this.recv.keyAt(e);
      if (key === null) break;
      out.push({ type: 'add-receive-key', epoch: e, key });
      this.recvInstalled = e;
    }
    return out;
  }
}
