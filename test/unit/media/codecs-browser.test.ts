/**
 * The codec rules against frames from a real browser (codecs-browser-frames.json): Chromium 156's
 * encoders (VP8, VP9, VP9 L3T3_KEY, AV1, AV1 L3T3_KEY with OBU extension headers, H.264 with
 * SPS/PPS/IDR), each frame as the sender transform got it and as the receiver transform got it
 * after libwebrtc packetized and depacketized Veil's encrypted output. The synthetic frames of
 * codecs.test.ts cannot show what the packetizer really rewrites (AV1 drops temporal delimiters and
 * rebuilds OBU sizes; H.264 start codes): these can.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesFor } from '../../../lib/media/codecs/index.ts';
import { decodeLeb128, encodeLeb128 } from '../../../lib/media/codecs/av1.ts';
import { findNalUnits } from '../../../lib/media/codecs/h264.ts';
import type { CodecName } from '../../../lib/media/codecs/types.ts';
import { decryptFrame } from '../../../lib/media/frame-crypto.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';

interface Fixture {
  key: string;
  sets: Array<{ codec: CodecName; scalabilityMode: string | null; frames: Array<{ type: string; plain: string; wire: string }> }>;
}

const fixture = JSON.parse(readFileSync(new URL('./codecs-browser-frames.json', import.meta.url), 'utf8')) as Fixture;
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function receiver(): MediaKeyRing {
  const ring = new MediaKeyRing();
  expect(ring.addReceiveKey(0, bytes(fixture.key)).ok).toBe(true);
  return ring;
}

/** OBUs of an AV1 frame: [header, extension or null, payload]. Written here from the spec, not from av1.ts. */
function obus(frame: Uint8Array): Array<{ header: number; ext: number | null; payload: Uint8Array }> {
  const out: Array<{ header: number; ext: number | null; payload: Uint8Array }> = [];
  let i = 0;
  while (i < frame.length) {
    const header = frame[i++]!;
    const ext = header & 0x04 ? frame[i++]! : null;
    let size = frame.length - i;
    if (header & 0x02) {
      const leb = decodeLeb128(frame, i);
      if (!leb.ok) throw new Error('bad leb128 in fixture');
      i += leb.value.length;
      size = leb.value.value;
    }
    out.push({ header, ext, payload: frame.subarray(i, i + size) });
    i += size;
  }
  return out;
}

/** What libwebrtc's AV1 depacketizer hands on: no temporal delimiter / tile list / padding, every OBU sized. */
function av1AsDepacketized(frame: Uint8Array): Uint8Array {
  const parts: number[] = [];
  for (const o of obus(frame)) {
    if ([2, 8, 15].includes((o.header >> 3) & 0x0f)) continue;
    parts.push(o.header | 0x02, ...(o.ext === null ? [] : [o.ext]), ...encodeLeb128(o.payload.length), ...o.payload);
  }
  return new Uint8Array(parts);
}

describe.each(fixture.sets.map((s) => [`${s.codec}${s.scalabilityMode ? ` ${s.scalabilityMode}` : ''}`, s] as const))('browser frames: %s', (_name, set) => {
  it('starts with a key frame and has delta frames', () => {
    expect(set.frames[0]?.type).toBe('key');
    expect(set.frames.some((f) => f.type === 'delta')).toBe(true);
  });

  it('every frame the receiver got decrypts to the encoder output (as the depacketizer would deliver it)', () => {
    const ring = receiver();
    for (const f of set.frames) {
      const d = decryptFrame(ring, rulesFor(set.codec), bytes(f.wire));
      expect(d.ok, `${f.type} frame: ${d.ok ? '' : d.error.code}`).toBe(true);
      if (!d.ok) continue;
      const expected = set.codec === 'av1' ? av1AsDepacketized(bytes(f.plain)) : bytes(f.plain);
      expect(hex(d.value.data)).toBe(hex(expected));
    }
  });

  it('what the packetizer reads stayed in clear on the wire; the picture data did not', () => {
    for (const f of set.frames) {
      const plain = bytes(f.plain);
      const wire = bytes(f.wire);
      if (set.codec === 'vp8') {
        const clear = f.type === 'key' ? 10 : 3;
        expect(hex(wire.subarray(0, clear))).toBe(hex(plain.subarray(0, clear)));
      } else if (set.codec === 'av1') {
        // Same OBU types and extension bytes (temporal/spatial ids) in the same order.
        const shape = (fr: Uint8Array) => obus(fr).filter((o) => ![2, 8, 15].includes((o.header >> 3) & 0x0f)).map((o) => [o.header | 0x02, o.ext]);
        expect(shape(wire)).toEqual(shape(plain));
      } else if (set.codec === 'h264') {
        const nals = (fr: Uint8Array) => {
          const u = findNalUnits(fr);
          if (!u.ok) throw new Error('no NAL units');
          return u.value.map((n) => fr.subarray(n.start, n.end));
        };
        const [pn, wn] = [nals(plain), nals(wire)];
        expect(wn.map((n) => n[0])).toEqual(pn.map((n) => n[0])); // NAL headers
        // SPS (7) and PPS (8) byte for byte: nothing rewrote them in transit.
        pn.forEach((n, k) => {
          if (((n[0] ?? 0) & 0x1f) === 7 || ((n[0] ?? 0) & 0x1f) === 8) expect(hex(wn[k]!)).toBe(hex(n));
        });
      }
      if (set.codec === 'vp8' || set.codec === 'vp9') {
        // Right after the clear prefix (10 / 3 / 0 bytes) the picture data is encrypted.
        const clear = set.codec === 'vp9' ? 0 : f.type === 'key' ? 10 : 3;
        expect(hex(wire.subarray(clear, clear + 8))).not.toBe(hex(plain.subarray(clear, clear + 8)));
      }
    }
  });

  it('a flipped bit in any frame the receiver got is refused', () => {
    const ring = receiver();
    for (const f of set.frames) {
      const wire = bytes(f.wire);
      for (const at of [0, wire.length >> 1, wire.length - 20]) {
        const bad = wire.slice();
        bad[at]! ^= 0x01;
        expect(decryptFrame(ring, rulesFor(set.codec), bad).ok).toBe(false);
      }
    }
  });
});

it('the fixture covers VP8, VP9, AV1 (with extension OBUs) and H.264 with SPS and PPS', () => {
  const codecs = new Set(fixture.sets.map((s) => s.codec));
  expect([...codecs].sort()).toEqual(['av1', 'h264', 'vp8', 'vp9']);
  const av1Svc = fixture.sets.find((s) => s.codec === 'av1' && s.scalabilityMode);
  expect(av1Svc?.frames.some((f) => obus(bytes(f.plain)).some((o) => o.ext !== null && o.ext !== 0))).toBe(true);
  const h264 = fixture.sets.find((s) => s.codec === 'h264')!;
  const key = bytes(h264.frames[0]!.plain);
  const types = findNalUnits(key);
  expect(types.ok && types.value.map((n) => (key[n.start] ?? 0) & 0x1f)).toEqual(expect.arrayContaining([7, 8, 5]));
});
