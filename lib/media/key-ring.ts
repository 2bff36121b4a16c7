/**
 * Media keys of one call, held by the transform worker.
 *
 * Raw keys (32 bytes per direction per epoch) come from outside: the session module derives them
 * with HKDF from the text session, and derives the next epoch without new text messages. The
 * ring derives the AEAD key and the nonce salt from each raw key, bound to the cipher suite and
 * the key id (= epoch), so one raw key can never be used under another suite or key id.
 *
 * Send: one current epoch; epochs only move forward, so a (key, counter) pair is never reused
 * within a ring. The frame counter lives here (not per track) because every track sending under
 * this key shares it: one counter per key is what keeps nonces unique.
 * Receive: the current (highest) epoch plus the previous one (grace window for frames already in
 * flight when the peer rotated). The previous key is forgotten after `graceFrames` frames have
 * decrypted under the current one, on the next rotation, or explicitly.
 */

import { extract, expand } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { MAX_KEY_ID, NONCE_LENGTH } from './frame-format.ts';
import { ReplayWindow } from './replay-window.ts';
import { equalBytes, utf8ToBytes } from '../bytes.ts';
import { err, ok, type Result } from '../result.ts';

export const RAW_KEY_LENGTH = 32;
/** AEAD usage bound per key (AES-GCM guidance is 2^32 invocations); rotate before reaching it. */
export const DEFAULT_MAX_COUNTER = 2 ** 32 - 1;

export type CipherSuite = 'chacha20-poly1305' | 'aes-256-gcm';

export type KeyRingErrorCode = 'bad-key' | 'bad-epoch' | 'stale-epoch' | 'epoch-conflict';
export interface KeyRingError {
  code: KeyRingErrorCode;
}

export interface DerivedKey {
  readonly epoch: number;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
}

interface SendState extends DerivedKey {
  fingerprint: Uint8Array;
  nextCounter: number;
}

interface ReceiveState extends DerivedKey {
  fingerprint: Uint8Array;
  replay: ReplayWindow;
  decrypted: number;
}

export interface KeyRingOptions {
  suite?: CipherSuite;
  /** Frames decrypted under the newest receive key before the previous one is dropped. */
  graceFrames?: number;
  replayWindowSize?: number;
  maxCounter?: number;
}

function u64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  let v = value;
  for (let i = 7; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function label(name: string, suite: CipherSuite, epoch: number): Uint8Array {
  const a = utf8ToBytes(`veil media v1 ${name} ${suite}`);
  const out = new Uint8Array(a.length + 8);
  out.set(a);
  out.set(u64(epoch), a.length);
  return out;
}

export function deriveFrameKey(raw: Uint8Array, suite: CipherSuite, epoch: number): DerivedKey & { fingerprint: Uint8Array } {
  const prk = extract(sha256, raw, utf8ToBytes('veil media v1'));
  const key = expand(sha256, prk, label('key', suite, epoch), 32);
  const salt = expand(sha256, prk, label('salt', suite, epoch), NONCE_LENGTH);
  // Compares re-installs of the same epoch without keeping the raw key.
  const fingerprint = expand(sha256, prk, label('fingerprint', suite, epoch), 16);
  prk.fill(0);
  return { epoch, key, salt, fingerprint };
}

function validEpoch(epoch: number): boolean {
  return Number.isSafeInteger(epoch) && epoch >= 0 && epoch <= MAX_KEY_ID;
}

function wipe(state: DerivedKey | null | undefined): void {
  state?.key.fill(0);
  state?.salt.fill(0);
}

export class MediaKeyRing {
  readonly suite: CipherSuite;
  readonly graceFrames: number;
  readonly maxCounter: number;
  private readonly replayWindowSize: number;
  private send: SendState | null = null;
  private current: ReceiveState | null = null;
  private previous: ReceiveState | null = null;
  /** Bumped on every send-key change; transforms compare it to raise needKeyframe. */
  sendGeneration = 0;
  receiveGeneration = 0;

  constructor(options: KeyRingOptions = {}) {
    this.suite = options.suite ?? 'chacha20-poly1305';
    this.graceFrames = options.graceFrames ?? 500;
    this.replayWindowSize = options.replayWindowSize ?? 1024;
    this.maxCounter = options.maxCounter ?? DEFAULT_MAX_COUNTER;
  }

  /** Installs the send key for `epoch`; epochs must strictly increase (never reuse a nonce space). */
  setSendKey(epoch: number, raw: Uint8Array): Result<void, KeyRingError> {
    if (!(raw instanceof Uint8Array) || raw.length !== RAW_KEY_LENGTH) return err({ code: 'bad-key' });
    if (!validEpoch(epoch)) return err({ code: 'bad-epoch' });
    if (this.send !== null) {
      if (epoch === this.send.epoch) {
        const d = deriveFrameKey(raw, this.suite, epoch);
        const same = equalBytes(d.fingerprint, this.send.fingerprint);
        wipe(d);
        return same ? ok(undefined) : err({ code: 'epoch-conflict' });
      }
      if (epoch < this.send.epoch) return err({ code: 'stale-epoch' });
    }
    wipe(this.send);
    this.send = { ...deriveFrameKey(raw, this.suite, epoch), nextCounter: 0 };
    this.sendGeneration++;
    return ok(undefined);
  }

  addReceiveKey(epoch: number, raw: Uint8Array): Result<void, KeyRingError> {
    if (!(raw instanceof Uint8Array) || raw.length !== RAW_KEY_LENGTH) return err({ code: 'bad-key' });
    if (!validEpoch(epoch)) return err({ code: 'bad-epoch' });
    const existing = this.receiveState(epoch);
    const derived = deriveFrameKey(raw, this.suite, epoch);
    if (existing !== null) {
      const same = equalBytes(derived.fingerprint, existing.fingerprint);
      wipe(derived);
      return same ? ok(undefined) : err({ code: 'epoch-conflict' });
    }
    const fresh: ReceiveState = { ...derived, replay: new ReplayWindow(this.replayWindowSize), decrypted: 0 };
    if (this.current === null || epoch > this.current.epoch) {
      wipe(this.previous);
      this.previous = this.current;
      this.current = fresh;
    } else if (this.previous === null || epoch > this.previous.epoch) {
      // A late key for the epoch just before the current one: accept it as the grace key.
      wipe(this.previous);
      this.previous = fresh;
    } else {
      wipe(derived);
      return err({ code: 'stale-epoch' });
    }
    this.receiveGeneration++;
    return ok(undefined);
  }

  forgetReceiveKey(epoch: number): boolean {
    if (this.previous?.epoch === epoch) {
      wipe(this.previous);
      this.previous = null;
      return true;
    }
    if (this.current?.epoch === epoch) {
      wipe(this.current);
      this.current = this.previous;
      this.previous = null;
      return true;
    }
    return false;
  }

  /** Call end: wipe everything. Send epochs still cannot go back within this ring. */
  forgetAll(): void {
    wipe(this.send);
    wipe(this.current);
    wipe(this.previous);
    this.current = null;
    this.previous = null;
    if (this.send !== null) this.send = { ...this.send, nextCounter: this.maxCounter + 1 };
  }

  get sendEpoch(): number | null {
    return this.send?.epoch ?? null;
  }

  get receiveEpochs(): number[] {
    const out: number[] = [];
    if (this.current !== null) out.push(this.current.epoch);
    if (this.previous !== null) out.push(this.previous.epoch);
    return out;
  }

  hasSendKey(): boolean {
    return this.send !== null && this.send.nextCounter <= this.maxCounter;
  }

  hasReceiveKey(): boolean {
    return this.current !== null;
  }

  /** Consumes one counter of the send key. null when there is no key or the key is used up. */
  nextSend(): (DerivedKey & { counter: number }) | null | 'exhausted' {
    if (this.send === null) return null;
    if (this.send.nextCounter > this.maxCounter) return 'exhausted';
    const counter = this.send.nextCounter++;
    return { epoch: this.send.epoch, key: this.send.key, salt: this.send.salt, counter };
  }

  /** Remaining counters of the current send key (for "rotate soon" decisions). */
  sendCountersLeft(): number {
    return this.send === null ? 0 : Math.max(0, this.maxCounter + 1 - this.send.nextCounter);
  }

  receiveKey(epoch: number): (DerivedKey & { replay: ReplayWindow }) | null {
    return this.receiveState(epoch);
  }

  /** Called after a frame under `epoch` verified: drives the grace window. */
  noteDecrypted(epoch: number): void {
    if (this.current?.epoch !== epoch) return;
    this.current.decrypted++;
    if (this.previous !== null && this.current.decrypted >= this.graceFrames) {
      wipe(this.previous);
      this.previous = null;
    }
  }

  private receiveState(epoch: number): ReceiveState | null {
    if (this.current?.epoch === epoch) return this.current;
    if (this.previous?.epoch === epoch) return this.previous;
    return null;
  }
}
