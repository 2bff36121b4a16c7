// Deterministic input mutation for the fuzz runner: a seeded PRNG and the classic byte-level
// mutations (bit flips, byte sets, truncation, extension, splice, range duplication, random bytes).

/** sfc32: small, fast, seedable; not for cryptography, only for reproducible fuzzing. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for n >= 1. */
  below(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 255;
    return out;
  }
}

/** Bytes that often sit on parser boundaries. */
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x0a, 0x7b, 0x7d, 0x25, 0x56, 0x4c, 0x3f, 0xe2, 0x80];

export const MAX_INPUT_BYTES = 8192;

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** One mutation. `other` is another corpus entry for splicing. */
function mutateOnce(input: Uint8Array, rng: Prng, other: Uint8Array): Uint8Array {
  const len = input.length;
  switch (rng.below(8)) {
    case 0: {
      if (len === 0) return rng.bytes(1 + rng.below(8));
      const out = input.slice();
      const flips = 1 + rng.below(4);
      for (let i = 0; i < flips; i++) {
        const at = rng.below(len);
        out[at] = (out[at] as number) ^ (1 << rng.below(8));
      }
      return out;
    }
    case 1: {
      if (len === 0) return Uint8Array.of(INTERESTING[rng.below(INTERESTING.length)] as number);
      const out = input.slice();
      out[rng.below(len)] = rng.below(2) === 0 ? (INTERESTING[rng.below(INTERESTING.length)] as number) : rng.next() & 255;
      return out;
    }
    case 2: // truncate
      return input.slice(0, rng.below(len + 1));
    case 3: // extend with random bytes at the end or start
      return rng.below(2) === 0 ? concat(input, rng.bytes(1 + rng.below(32))) : concat(rng.bytes(1 + rng.below(32)), input);
    case 4: {
      // splice: prefix of this input + suffix of another
      const cut = rng.below(len + 1);
      const from = rng.below(other.length + 1);
      return concat(input.subarray(0, cut), other.subarray(from));
    }
    case 5: {
      // duplicate a range in place
      if (len === 0) return input;
      const start = rng.below(len);
      const end = start + 1 + rng.below(Math.min(64, len - start));
      return concat(input.subarray(0, end), input.subarray(start, end), input.subarray(end));
    }
    case 6: {
      // delete a range
      if (len === 0) return input;
      const start = rng.below(len);
      const end = start + 1 + rng.below(Math.min(64, len - start));
      return concat(input.subarray(0, start), input.subarray(end));
    }
    default: {
      // insert random bytes in the middle
      const at = rng.below(len + 1);
      return concat(input.subarray(0, at), rng.bytes(1 + rng.below(16)), input.subarray(at));
    }
  }
}

/** 1..4 stacked mutations, capped at MAX_INPUT_BYTES. */
export function mutate(input: Uint8Array, rng: Prng, other: Uint8Array): Uint8Array {
  let out = input;
  const rounds = 1 + rng.below(4);
  for (let i = 0; i < rounds; i++) out = mutateOnce(out, rng, other);
  return out.length > MAX_INPUT_BYTES ? out.slice(0, MAX_INPUT_BYTES) : out;
}
