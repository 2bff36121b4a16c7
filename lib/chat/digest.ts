/**
 * Cache keys for armored messages. A chat site re-renders the same ciphertext many times and in
 * many textual forms (whitespace, line breaks, links), so the key is a digest of the decoded
 * payload, not of the rendered text.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '../bytes.ts';
import type { ArmorPayload } from '../armor/index.ts';

export function payloadDigest(payload: ArmorPayload): string {
  if (payload.kind === 'whole') return bytesToHex(sha256(concatBytes(utf8ToBytes('veil-whole\n'), payload.bytes)));
  const head = utf8ToBytes(`veil-fragment\n${payload.id}\n${payload.index}\n${payload.count}\n`);
  return bytesToHex(sha256(concatBytes(head, payload.bytes)));
}

/** Key of a query line (who asked, and the line's own random reference). */
export function queryKey(author: string, text: string): string {
  return bytesToHex(sha256(utf8ToBytes(`veil-query\n${author}\n${text.trim()}`)));
}
