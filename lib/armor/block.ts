import { asciiValue, decodeAscii, encodeAscii } from './ascii.ts';
import { decodeDense, encodeDense, isDenseSymbol } from './dense.ts';
import { skipIgnorable } from './ignorable.ts';
import { fail, type Result } from '../result.ts';
import type { ArmorError } from './errors.ts';

export type Alphabet = 'ascii' | 'dense';

/**
 * Block layout: "VL" + tag + symbols + "{".
 *   tag '1' = version 1 whole message, tag 'f' = version 1 fragment.
 * The alphabet is not marked: ASCII and dense symbols are disjoint, so the first symbol says it.
 * The terminator '{' is outside both alphabets; it lets extraction skip inserted whitespace inside
 * the block without swallowing human text that follows it.
 */
export const PREFIX_STEM = 'VL';
export const TAG_WHOLE = '1';
export const TAG_FRAGMENT = 'f';
export const TERMINATOR = '{';
/** Fixed characters per block: 3 prefix + 1 terminator. */
export const BLOCK_OVERHEAD = PREFIX_STEM.length + 1 + TERMINATOR.length;
/** Longest symbol run a decoder accepts (UTF-16 units); bounds work and memory per block. */
export const MAX_BLOCK_SYMBOLS = 1 << 20;

export type BlockKind = 'whole' | 'fragment';

export function encodeSymbols(bytes: Uint8Array, alphabet: Alphabet): string {
  return alphabet === 'dense' ? encodeDense(bytes) : encodeAscii(bytes);
}

export function buildBlock(kind: BlockKind, payload: Uint8Array, alphabet: Alphabet): string {
  const tag = kind === 'whole' ? TAG_WHOLE : TAG_FRAGMENT;
  return PREFIX_STEM + tag + encodeSymbols(payload, alphabet) + TERMINATOR;
}

export interface PrefixMatch {
  kind: BlockKind;
  /** Index just after the tag character. */
  next: number;
}

/**
 * Matches "VL" + tag at index i (text[i] must be 'V'), allowing ignorable characters between
 * the three prefix characters (a site may wrap or insert zero-width characters anywhere).
 */
export function matchPrefix(text: string, i: number): PrefixMatch | null {
  if (text.charCodeAt(i) !== 0x56 /* V */) return null;
  const l = skipIgnorable(text, i + 1);
  if (text.charCodeAt(l) !== 0x4c /* L */) return null;
  const t = skipIgnorable(text, l + 1);
  const tag = text[t];
  if (tag === TAG_WHOLE) return { kind: 'whole', next: t + 1 };
  if (tag === TAG_FRAGMENT) return { kind: 'fragment', next: t + 1 };
  return null;
}

export interface RawBlock {
  /** Index just after the block (after the terminator, or where reading stopped on error). */
  end: number;
  result: Result<Uint8Array, ArmorError>;
}

/**
 * Reads symbols from index i up to the terminator, skipping ignorable characters, and decodes
 * them. Linear in the characters read; stops at the first character that cannot belong.
 */
export function readPayload(text: string, i: number): RawBlock {
  const symbols: string[] = [];
  let alphabet: Alphabet | null = null;
  for (;;) {
    i = skipIgnorable(text, i);
    if (i >= text.length) return { end: i, result: fail('truncated', 'text ended before the block terminator') };
    const code = text.charCodeAt(i);
    if (code === 0x7b /* { */) {
      const joined = symbols.join('');
      const result = alphabet === 'dense' ? decodeDense(joined) : decodeAscii(joined);
      return { end: i + 1, result };
    }
    let here: Alphabet;
    if (asciiValue(code) >= 0) here = 'ascii';
    else if (isDenseSymbol(code)) here = 'dense';
    else return { end: i, result: fail('bad-char', `unexpected character U+${code.toString(16).padStart(4, '0')} in armor`) };
    if (alphabet === null) alphabet = here;
    else if (alphabet !== here) return { end: i, result: fail('mixed-alphabet', 'ascii and dense symbols in one block') };
    if (symbols.length >= MAX_BLOCK_SYMBOLS) return { end: i, result: fail('too-large', 'armor block exceeds the symbol cap') };
    symbols.push(text[i] as string);
    i++;
  }
}
