import { expect } from 'vitest';
import { MediaKeyRing, type KeyRingOptions } from '../../../lib/media/key-ring.ts';

export function key(fill: number): Uint8Array {
  return new Uint8Array(32).map((_, i) => (fill * 31 + i) & 0xff);
}

/** A sender ring and a receiver ring sharing one direction's key for `epoch`. */
export function pair(epoch = 1, k = key(1), opts: KeyRingOptions = {}): { tx: MediaKeyRing; rx: MediaKeyRing } {
  const tx = new MediaKeyRing(opts);
  const rx = new MediaKeyRing(opts);
  expect(tx.setSendKey(epoch, k).ok).toBe(true);
  expect(rx.addReceiveKey(epoch, k).ok).toBe(true);
  return { tx, rx };
}

export function hasStartCodeLike(bytes: Uint8Array, from = 0): boolean {
  for (let i = from; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && (bytes[i + 2] ?? 9) <= 2) return true;
  }
  return false;
}
