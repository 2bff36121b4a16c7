import { describe, expect, it } from 'vitest';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  deriveCallKeys,
  formatSafetyNumber,
  safetyNumber,
  safetyNumberHalf,
  SAFETY_NUMBER_ITERATIONS,
  sasFromBytes,
  SAS_SYMBOLS,
  advanceMediaChain,
  startKeyAgreement,
  newConversation,
} from '../../../lib/protocol/index.ts';
import { deliver, makePair } from './helpers.ts';

describe('safety number', () => {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);

  it('matches an independent computation of the Signal construction', () => {
    let h = new Uint8Array([0, 0, ...k1, ...new TextEncoder().encode('alice')]);
    for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) h = sha512(new Uint8Array([...h, ...k1]));
    let expected = '';
    for (let c = 0; c < 6; c++) {
      const v = BigInt('0x' + Buffer.from(h.subarray(c * 5, c * 5 + 5)).toString('hex'));
      expected += (v % 100000n).toString().padStart(5, '0');
    }
    expect(safetyNumberHalf(k1, 'alice')).toBe(expected);
  });

  it('is symmetric, 60 digits, and changes with key or handle', () => {
    const ab = safetyNumber({ publicKey: k1, handle: 'alice' }, { publicKey: k2, handle: 'bob' });
    const ba = safetyNumber({ publicKey: k2, handle: 'bob' }, { publicKey: k1, handle: 'alice' });
    expect(ab).toBe(ba);
    expect(ab).toMatch(/^\d{60}$/);
    expect(safetyNumber({ publicKey: k1, handle: 'alice' }, { publicKey: k1, handle: 'bob' })).not.toBe(ab);
    expect(safetyNumber({ publicKey: k1, handle: 'alicia' }, { publicKey: k2, handle: 'bob' })).not.toBe(ab);
    expect(formatSafetyNumber(ab).split(' ')).toHaveLength(12);
  });
});

describe('SAS', () => {
  it('maps 30 bits to five named emoji, MSB first', () => {
    expect(sasFromBytes(Uint8Array.of(0, 0, 0, 0, 0)).symbols.map((s) => s.name)).toEqual(Array(5).fill('dog'));
    // bits 000001 000010 000011 000100 000101 .. = 0x04 0x20 0xc4 0x14
    const s = sasFromBytes(Uint8Array.of(0x04, 0x20, 0xc4, 0x14, 0));
    expect(s.symbols).toEqual([SAS_SYMBOLS[1], SAS_SYMBOLS[2], SAS_SYMBOLS[3], SAS_SYMBOLS[4], SAS_SYMBOLS[5]]);
    expect(s.text).toContain('cat');
    expect(() => sasFromBytes(new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('media keys', () => {
  function sessionPair() {
    const [a, b] = makePair('media');
    const m1 = startKeyAgreement(a.state, a.identity, a.rng);
    if (!m1.ok) throw new Error('start');
    a.state = m1.value.state;
    const r1 = deliver(b, m1.value.outgoing);
    const r2 = deliver(a, r1.outgoing);
    const r3 = deliver(b, r2.outgoing);
    deliver(a, r3.outgoing);
    return [a, b] as const;
  }

  it('both sides agree per direction and epoch; directions, epochs and calls differ', () => {
    const [a, b] = sessionPair();
    const ka = deriveCallKeys(a.state, 'call-1');
    const kb = deriveCallKeys(b.state, 'call-1');
    if (!ka.ok || !kb.ok) throw new Error('keys');
    expect(ka.value.send(0)).toEqual(kb.value.recv(0));
    expect(kb.value.send(3)).toEqual(ka.value.recv(3));
    expect(ka.value.send(0)).not.toEqual(ka.value.recv(0));
    expect(ka.value.send(1)).not.toEqual(ka.value.send(0));
    expect(ka.value.send(0)).toHaveLength(32);
    const other = deriveCallKeys(a.state, 'call-2');
    expect(other.ok && other.value.send(0)).not.toEqual(ka.value.send(0));
  });

  it('ratchets forward only after forgetBefore', () => {
    const [a] = sessionPair();
    const k = deriveCallKeys(a.state, 'c');
    if (!k.ok) throw new Error('keys');
    const e5 = k.value.send(5);
    k.value.forgetBefore(4);
    expect(k.value.send(5)).toEqual(e5);
    expect(() => k.value.send(3)).toThrow(RangeError);
    expect(() => advanceMediaChain({ epoch: 2, chainKey: new Uint8Array(32) }, 1)).toThrow(RangeError);
  });

  it('returns typed errors without a confirmed session or with a bad call id', () => {
    const c = newConversation({ site: 's', conversationId: 'c', selfHandle: 'a', peerHandle: 'b' });
    if (!c.ok) throw new Error('ctx');
    const r = deriveCallKeys(c.value, 'x');
    expect(r.ok ? 'ok' : r.error.code).toBe('no-session');
    const [a] = sessionPair();
    const bad = deriveCallKeys(a.state, '');
    expect(bad.ok ? 'ok' : bad.error.code).toBe('bad-call-id');
  });
});
