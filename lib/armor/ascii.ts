import { ok, fail, type Result } from '../result.ts';
import type { ArmorError } from './errors.ts';

/**
 * The 'ascii' alphabet: 6 bits per character.
 * Letters and digits are untouched by every transformation we know of (markdown, linkifiers,
 * typographers, emoji shortcodes, HTML escaping, Unicode normalization). The two extra symbols
 * '%' and '}' have no meaning in CommonMark, GFM, Slack/Discord/Telegram/WhatsApp markup,
 * linkify or emoticon tables, and stay inert even alone at the start of a line (unlike '=' or
 * '-', which form setext headings and lists). See docs/armor.md for the full argument.
 */
export const ASCII_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%}';

const VALUE_OF = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ASCII_ALPHABET.length; i++) table[ASCII_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Symbol value 0..63 of a UTF-16 code unit, or -1 if it is not in the alphabet. */
export function asciiValue(code: number): number {
  return code < 128 ? (VALUE_OF[code] ?? -1) : -1;
}

/** Number of symbols encodeAscii produces for n bytes. */
export function asciiLength(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 6);
}

export function encodeAscii(bytes: Uint8Array): string {
  const out: string[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push(ASCII_ALPHABET[(acc >> bits) & 63] as string);
    }
    acc &= (1 << bits) - 1;
  }
  // Final partial symbol: remaining bits left-aligned, zero padded (decoder insists on zeros).
  if (bits > 0) out.push(ASCII_ALPHABET[(acc << (6 - bits)) & 63] as string);
  return out.join('');
}

/** Decodes a clean symbol string (no ignorable characters). Exact inverse of encodeAscii. */
export function decodeAscii(symbols: string): Result<Uint8Array, ArmorError> {
  const count = symbols.length;
  // 6c bits hold floor(6c/8) bytes; c = 1 (mod 4) is never produced (6 bits < 1 byte of slack).
  if (count % 4 === 1) return fail('bad-length', `${count} ascii symbols encode no byte length`);
  const n = Math.floor((count * 6) / 8);
  const out = new Uint8Array(n);
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (let i = 0; i < count; i++) {
    const v = asciiValue(symbols.charCodeAt(i));
    if (v < 0) return fail('bad-char', `character ${i} is not in the ascii alphabet`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) return fail('non-canonical', 'padding bits of the last ascii symbol are not zero');
  return ok(out);
}
