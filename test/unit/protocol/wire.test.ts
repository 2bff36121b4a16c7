import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeWireMessage,
  encodeRatchetHeader,
  encodeVarint,
  encodeWireMessage,
  MAX_WIRE_BYTES,
  type WireMessage,
} from '../../../lib/protocol/index.ts';

const k = (b: number) => new Uint8Array(32).fill(b);

function roundTrip(m: WireMessage): WireMessage {
  const d = decodeWireMessage(encodeWireMessage(m));
  if (!d.ok) throw new Error(d.error.code);
  return d.value;
}

describe('wire codec', () => {
  it('round-trips every message type with exact sizes', () => {
    expect(encodeWireMessage({ type: 'commit', commit: k(1) }).length).toBe(33);
    expect(roundTrip({ type: 'commit', commit: k(1) })).toEqual({ type: 'commit', commit: k(1) });
    const reply = { type: 'reply', commitRef: new Uint8Array(8).fill(9), ephemeral: k(2), identity: k(3) } as const;
    expect(encodeWireMessage(reply).length).toBe(73);
    expect(roundTrip(reply)).toEqual(reply);
    const reveal = { type: 'reveal', ephemeral: k(2), identity: k(3), mac: k(4) } as const;
    expect(encodeWireMessage(reveal).length).toBe(97);
    expect(roundTrip(reveal)).toEqual(reveal);
    const bundle = { type: 'prekey-bundle', identity: k(5), prekey: k(6), signature: new Uint8Array(64).fill(7) } as const;
    expect(encodeWireMessage(bundle).length).toBe(129);
    expect(roundTrip(bundle)).toEqual(bundle);
    const header = { dh: k(8), pn: 300, n: 5 };
    const ct = new Uint8Array(37).fill(1);
    const rat = roundTrip({ type: 'ratchet', header, headerBytes: new Uint8Array(0), ciphertext: ct });
    expect(rat.type).toBe('ratchet');
    if (rat.type === 'ratchet') {
      expect(rat.header).toEqual(header);
      expect(rat.headerBytes).toEqual(encodeRatchetHeader(header));
      expect(rat.ciphertext).toEqual(ct);
    }
    const pm = roundTrip({ type: 'prekey-message', identity: k(1), ephemeral: k(2), header, headerBytes: new Uint8Array(0), ciphertext: ct });
    expect(pm.type).toBe('prekey-message');
    if (pm.type === 'prekey-message') {
      expect(pm.identity).toEqual(k(1));
      expect(pm.ephemeral).toEqual(k(2));
      expect(pm.header).toEqual(header);
    }
  });

  it('puts version 1 in the high nibble and type in the low nibble', () => {
    expect(encodeWireMessage({ type: 'commit', commit: k(1) })[0]).toBe(0x11);
    expect(encodeRatchetHeader({ dh: k(1), pn: 0, n: 0 })[0]).toBe(0x14);
  });

  it('encodes small counters in one byte each (size budget)', () => {
    expect(encodeRatchetHeader({ dh: k(1), pn: 0, n: 127 }).length).toBe(35);
    expect(encodeRatchetHeader({ dh: k(1), pn: 128, n: 0 }).length).toBe(36);
    expect(encodeVarint(0xffffffff).length).toBe(5);
    expect(() => encodeVarint(-1)).toThrow(RangeError);
  });

  it('returns typed errors for each malformation', () => {
    const code = (b: Uint8Array) => {
      const r = decodeWireMessage(b);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(new Uint8Array(0))).toBe('empty');
    expect(code(new Uint8Array(MAX_WIRE_BYTES + 1).fill(0x14))).toBe('too-large');
    expect(code(Uint8Array.of(0x21, ...k(1)))).toBe('unsupported-version');
    expect(code(Uint8Array.of(0x1f))).toBe('unknown-type');
    expect(code(Uint8Array.of(0x11, 1, 2))).toBe('truncated');
    expect(code(Uint8Array.of(0x11, ...k(1), 0))).toBe('trailing-bytes');
    const tail = new Uint8Array(17);
    expect(code(Uint8Array.of(0x14, ...k(1), 0x80, 0x00, 0, ...tail))).toBe('bad-varint'); // non-minimal
    expect(code(Uint8Array.of(0x14, ...k(1), 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, ...tail))).toBe('bad-varint');
    expect(code(Uint8Array.of(0x14, ...k(1), 0xff, 0xff, 0xff, 0xff, 0x1f, 0, ...tail))).toBe('bad-varint'); // > uint32
    expect(code(Uint8Array.of(0x14, ...k(1), 0, 0, ...new Uint8Array(16)))).toBe('truncated'); // no body
    expect(code(Uint8Array.of(0x16, ...k(1)))).toBe('truncated');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeWireMessage(bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('copies decoded fields (no aliasing of the input buffer)', () => {
    const wire = encodeWireMessage({ type: 'commit', commit: k(1) });
    const r = decodeWireMessage(wire);
    wire[5] = 99;
    expect(r.ok && r.value.type === 'commit' && r.value.commit[4]).toBe(1);
  });
});
