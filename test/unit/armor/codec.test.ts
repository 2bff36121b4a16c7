import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASCII_ALPHABET,
  DENSE_MAIN_BASE,
  DENSE_MAIN_SIZE,
  DENSE_TAIL_BASE,
  DENSE_TAIL_SIZE,
  armor,
  dearmor,
  decodeAscii,
  decodeDense,
  encodeAscii,
  encodeDense,
} from '../../../lib/armor/index.ts';
import { pseudoBytes } from './helpers.ts';

function expectBytes(result: ReturnType<typeof decodeAscii>, bytes: Uint8Array): void {
  expect(result.ok).toBe(true);
  if (result.ok) expect(Array.from(result.value)).toEqual(Array.from(bytes));
}

describe('ascii alphabet', () => {
  it('has 64 distinct letters, digits and the two chosen symbols', () => {
    expect(new Set(ASCII_ALPHABET).size).toBe(64);
    expect(ASCII_ALPHABET.replace(/[A-Za-z0-9]/g, '')).toBe('%}');
  });

  it('round-trips every byte length 0..600', () => {
    for (let n = 0; n <= 600; n++) {
      const bytes = pseudoBytes(n, n + 1);
      const text = encodeAscii(bytes);
      expect(text.length).toBe(Math.ceil((n * 8) / 6));
      expectBytes(decodeAscii(text), bytes);
    }
  });

  it('round-trips arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), (bytes) => {
        expectBytes(decodeAscii(encodeAscii(bytes)), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects impossible lengths, foreign characters and non-zero padding', () => {
    expect(decodeAscii('A')).toMatchObject({ ok: false, error: { code: 'bad-length' } });
    expect(decodeAscii('AAAAA')).toMatchObject({ ok: false, error: { code: 'bad-length' } });
    expect(decodeAscii('A-')).toMatchObject({ ok: false, error: { code: 'bad-char' } });
    // One byte uses 2 symbols with 4 padding bits: 'AB' sets one of them.
    expect(decodeAscii('AB')).toMatchObject({ ok: false, error: { code: 'non-canonical' } });
    expect(decodeAscii('AA')).toMatchObject({ ok: true });
  });
});

describe('dense alphabet', () => {
  it('round-trips every byte length 0..600', () => {
    for (let n = 0; n <= 600; n++) {
      const bytes = pseudoBytes(n, 7 * n + 3);
      const text = encodeDense(bytes);
      expect(text.length).toBe(Math.ceil((n * 8) / 14));
      expectBytes(decodeDense(text), bytes);
    }
  });

  it('round-trips arbitrary bytes (property), all-zero and all-0xff included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 2000 }),
          fc.nat(300).map((n) => new Uint8Array(n)),
          fc.nat(300).map((n) => new Uint8Array(n).fill(255)),
        ),
        (bytes) => {
          expectBytes(decodeDense(encodeDense(bytes)), bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('carries at least 14 bits per UTF-16 unit, all BMP', () => {
    const bytes = pseudoBytes(4000, 99);
    const text = encodeDense(bytes);
    expect((bytes.length * 8) / text.length).toBeGreaterThan(13.99);
    for (let i = 0; i < text.length; i++) expect(text.charCodeAt(i)).toBeLessThan(0xd800);
  });

  it('every symbol is a CJK Unified Ideograph unchanged by NFC, NFD, NFKC and NFKD', () => {
    let checked = 0;
    for (let cp = DENSE_MAIN_BASE; cp < DENSE_TAIL_BASE + DENSE_TAIL_SIZE; cp++) {
      const ch = String.fromCharCode(cp);
      expect(cp).toBeLessThanOrEqual(0x9fff);
      for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const) {
        if (ch.normalize(form) !== ch) throw new Error(`U+${cp.toString(16)} changes under ${form}`);
      }
      checked++;
    }
    expect(checked).toBe(DENSE_MAIN_SIZE + DENSE_TAIL_SIZE);
    // Whole encoded texts too (normalization could in principle act across characters).
    const text = encodeDense(pseudoBytes(3000, 5));
    for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const) expect(text.normalize(form)).toBe(text);
  });

  it('rejects tail symbols out of place, impossible lengths and non-zero padding', () => {
    const tail = String.fromCharCode(DENSE_TAIL_BASE);
    const main = String.fromCharCode(DENSE_MAIN_BASE);
    expect(decodeDense(tail + main)).toMatchObject({ ok: false, error: { code: 'bad-char' } });
    // A lone tail symbol carries <= 6 bits: no byte length.
    expect(decodeDense(tail)).toMatchObject({ ok: false, error: { code: 'bad-length' } });
    // One byte = one main symbol with 6 padding bits.
    expect(decodeDense(String.fromCharCode(DENSE_MAIN_BASE + 1))).toMatchObject({ ok: false, error: { code: 'non-canonical' } });
    expect(decodeDense(main)).toMatchObject({ ok: true });
    expect(decodeDense('A')).toMatchObject({ ok: false, error: { code: 'bad-char' } });
  });
});

describe('whole blocks', () => {
  it('meet the size target for a 72-byte payload', () => {
    const bytes = pseudoBytes(72, 1);
    expect(armor(bytes, 'ascii').length).toBeLessThanOrEqual(100);
    expect(armor(bytes, 'dense').length).toBeLessThanOrEqual(60);
  });

  it('round-trip through dearmor for both alphabets (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.constantFrom('ascii' as const, 'dense' as const), (bytes, alphabet) => {
        const block = armor(bytes, alphabet);
        expect(block.startsWith('VL1')).toBe(true);
        expect(block.endsWith('{')).toBe(true);
        const result = dearmor(block);
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.value.kind).toBe('whole');
          expect(Array.from(result.value.bytes)).toEqual(Array.from(bytes));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('dearmor rejects missing prefix, terminator, mixed alphabets and trailing text', () => {
    const block = armor(pseudoBytes(30, 2), 'ascii');
    expect(dearmor(block.slice(1))).toMatchObject({ ok: false, error: { code: 'bad-prefix' } });
    expect(dearmor(block.slice(0, -1))).toMatchObject({ ok: false, error: { code: 'truncated' } });
    expect(dearmor(`${block} hi`)).toMatchObject({ ok: false, error: { code: 'trailing-data' } });
    expect(dearmor(`  ${block}\n`)).toMatchObject({ ok: true });
    const mixed = `VL1AA${String.fromCharCode(DENSE_MAIN_BASE)}{`;
    expect(dearmor(mixed)).toMatchObject({ ok: false, error: { code: 'mixed-alphabet' } });
    expect(dearmor('VL1AA-A{')).toMatchObject({ ok: false, error: { code: 'bad-char' } });
  });
});
