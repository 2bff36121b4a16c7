/** Synthetic but realistically laid-out codec frames for the media tests. */

export function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** VP8 key frame: 3-byte frame tag (P=0), start code 9d 01 2a, 14-bit width/height. */
export function vp8KeyFrame(length: number, seed = 1, width = 1280, height = 720): Uint8Array {
  const f = pseudoRandom(length, seed);
  const firstPartSize = Math.min(length - 10, 0x7ffff);
  const tag = (firstPartSize << 5) | (1 << 4) | (0 << 1) | 0; // show_frame=1, version 0, key frame
  f[0] = tag & 0xff;
  f[1] = (tag >> 8) & 0xff;
  f[2] = (tag >> 16) & 0xff;
  f[3] = 0x9d;
  f[4] = 0x01;
  f[5] = 0x2a;
  f[6] = width & 0xff;
  f[7] = (width >> 8) & 0x3f;
  f[8] = height & 0xff;
  f[9] = (height >> 8) & 0x3f;
  return f;
}

export function vp8DeltaFrame(length: number, seed = 2): Uint8Array {
  const f = pseudoRandom(length, seed);
  f[0] = ((f[0] ?? 0) | 0x01) & 0xff; // P=1: inter frame
  return f;
}

/** Opus: TOC byte (config 12 = hybrid SWB 20 ms, mono, code 0) then payload. */
export function opusFrame(length: number, seed = 3): Uint8Array {
  const f = pseudoRandom(length, seed);
  f[0] = (12 << 3) | 0;
  return f;
}

/** Removes bytes that would form start codes, like an encoder's emulation prevention. */
export function rbspEscape(payload: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of payload) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (out[out.length - 1] === 0) out.push(0x80);
  return new Uint8Array(out);
}

function nal(header: number, body: Uint8Array, longStart = true): number[] {
  return [...(longStart ? [0, 0, 0, 1] : [0, 0, 1]), header, ...rbspEscape(body)];
}

/**
 * Annex B access unit: SPS, PPS, IDR slice. The slice header starts with first_mb_in_slice = 0
 * ('1'), slice_type = 7 ('0001000'), pps_id = 0 ('1') -> bits 1 0001000 1 = 0x88 0x80...
 * Payload bytes are chosen to contain 00 00 03 / 00 00 01-like content after encryption often.
 */
export function h264KeyFrame(sliceLength: number, seed = 4): Uint8Array {
  const sps = new Uint8Array([0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40]);
  const pps = new Uint8Array([0xce, 0x3c, 0x80]);
  const slice = pseudoRandom(sliceLength, seed);
  slice[0] = 0x88;
  slice[1] = 0x84;
  // plant zero runs so the plaintext itself carries escaped sequences
  for (let i = 16; i + 4 < slice.length; i += 97) {
    slice[i] = 0;
    slice[i + 1] = 0;
    slice[i + 2] = (i / 97) % 4;
  }
  return new Uint8Array([...nal(0x67, sps), ...nal(0x68, pps, false), ...nal(0x65, slice)]);
}

/** Non-IDR slice with an SEI in front: first_mb 0, slice_type 5 ('00110'), pps_id 0. */
export function h264DeltaFrame(sliceLength: number, seed = 5): Uint8Array {
  const sei = new Uint8Array([0x05, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x80]);
  const slice = pseudoRandom(sliceLength, seed);
  slice[0] = 0x9a; // 1 00110 1 0...
  return new Uint8Array([...nal(0x06, sei), ...nal(0x41, slice)]);
}

/** AV1 temporal unit: temporal delimiter, sequence header, frame OBU (all with sizes). */
export function av1Frame(frameLength: number, seed = 6): Uint8Array {
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const seq = pseudoRandom(12, seed + 1);
  const frame = pseudoRandom(frameLength, seed);
  return new Uint8Array([
    0x12, 0x00, // temporal delimiter, size 0
    0x0a, ...leb(seq.length), ...seq, // sequence header
    0x32, ...leb(frame.length), ...frame, // frame OBU
  ]);
}
