/**
 * Chat-safe armor for binary protocol messages: two alphabets, whole and fragment blocks,
 * extraction from rendered text, reassembly with hard caps, and the human-readable query line.
 * Layout and rationale: docs/armor.md.
 */
import { type Alphabet, buildBlock } from './block.ts';

export type { Alphabet } from './block.ts';
export { BLOCK_OVERHEAD, MAX_BLOCK_SYMBOLS, PREFIX_STEM, TAG_FRAGMENT, TAG_WHOLE, TERMINATOR } from './block.ts';
export { ASCII_ALPHABET, decodeAscii, encodeAscii } from './ascii.ts';
export { DENSE_MAIN_BASE, DENSE_MAIN_SIZE, DENSE_TAIL_BASE, DENSE_TAIL_SIZE, decodeDense, encodeDense } from './dense.ts';
export { type ArmorFinding, type ArmorPayload, dearmor, findArmor } from './find.ts';
export {
  type Fragment,
  type RandomSource,
  FRAGMENT_HEADER_BYTES,
  MAX_FRAGMENT_COUNT,
  armorFragments,
  fragmentCapacity,
  fragmentSlices,
  wholeBlockLength,
} from './fragment.ts';
export {
  type FragmentInput,
  type ReassemblerOptions,
  type ReassemblyDrop,
  type ReassemblyErrorCode,
  type ReassemblyResult,
  Reassembler,
} from './reassembly.ts';
export { type QueryFinding, type QueryLineOptions, makeQueryLine, parseQuery } from './query.ts';
export type { ArmorError, ArmorErrorCode } from './errors.ts';

/** One whole-message block, prefix and terminator included. */
export function armor(bytes: Uint8Array, alphabet: Alphabet): string {
  return buildBlock('whole', bytes, alphabet);
}
