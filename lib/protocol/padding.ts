// Pads message bodies to length buckets so ciphertext length reveals only the bucket.
// Layout of a padded body: content || marker || 0x00 * k, with marker = 0x80 | contentType.
// The marker doubles as the content-type byte, so padding costs exactly one byte minimum.
import { MAX_PLAINTEXT_BYTES } from './constants.ts';
import { err, ok, type Result } from '../result.ts';

/**
 * Padded body sizes. Each is 3 less than a multiple of 8 so that, with the 51 bytes of ratchet
 * overhead (1 type + 32 key + 1 pn + 1 n + 16 tag), whole wire messages are 56, 64, 72, ... bytes.
 * Steps grow by at most ~1/3, so a bucket hides the exact length within that range.
 */
export const PADDING_BUCKETS: readonly number[] = [
  5, 13, 21, 29, 37, 45, 61, 77, 93, 125, 157, 189, 253, 317, 381, 509, 637, 765, 1021, 1277, 1533, 2045,
  2557, 3069, 4093, 5117, 6141, 8189, 10237, 12285, 16381,
];
/** Above the table, bodies grow in steps of 8192 bytes (minus 3, as above). */
export const LARGE_BUCKET_STEP = 8192;

/**
 * text and confirm: pairwise messages. group-control: a lib/group control payload carried in a
 * pairwise session (binary). group-text: the body of a group message (binary reference + UTF-8).
 */
export const CONTENT_TYPES = { text: 0, confirm: 1, 'group-control': 2, 'group-text': 3 } as const;
export type ContentType = keyof typeof CONTENT_TYPES;

export type PaddingErrorCode = 'too-long' | 'bad-padding' | 'unknown-content-type';
export interface PaddingError {
  readonly code: PaddingErrorCode;
  readonly message: string;
}

const MAX_PADDED = paddedLength(MAX_PLAINTEXT_BYTES);

/** Smallest bucket holding `contentLength` bytes plus the marker. */
export function paddedLength(contentLength: number): number {
  const needed = contentLength + 1;
  for (const b of PADDING_BUCKETS) if (b >= needed) return b;
  return Math.ceil((needed + 3) / LARGE_BUCKET_STEP) * LARGE_BUCKET_STEP - 3;
}

export function isBucketLength(length: number): boolean {
  if (PADDING_BUCKETS.includes(length)) return true;
  const last = PADDING_BUCKETS[PADDING_BUCKETS.length - 1] as number;
  return length > last && (length + 3) % LARGE_BUCKET_STEP === 0;
}

export function pad(content: Uint8Array, type: ContentType): Result<Uint8Array, PaddingError> {
  if (content.length > MAX_PLAINTEXT_BYTES) {
    return err({ code: 'too-long', message: `content over ${MAX_PLAINTEXT_BYTES} bytes` });
  }
  const out = new Uint8Array(paddedLength(content.length));
  out.set(content, 0);
  out[content.length] = 0x80 | CONTENT_TYPES[type];
  return ok(out);
}

export function unpad(padded: Uint8Array): Result<{ content: Uint8Array; type: ContentType }, PaddingError> {
  if (padded.length > MAX_PADDED || !isBucketLength(padded.length)) {
    return err({ code: 'bad-padding', message: 'body length is not a padding bucket' });
  }
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0) return err({ code: 'bad-padding', message: 'no padding marker' });
  const marker = padded[i] as number;
  if ((marker & 0x80) === 0) return err({ code: 'bad-padding', message: 'bad padding marker' });
  const code = marker & 0x7f;
  const type = (Object.keys(CONTENT_TYPES) as ContentType[]).find((k) => CONTENT_TYPES[k] === code);
  if (type === undefined) return err({ code: 'unknown-content-type', message: `content type ${code}` });
  return ok({ content: padded.slice(0, i), type });
}
