/**
 * Frame encryption and decryption: codec layout + trailer + AEAD + key ring + replay window.
 *
 * Default AEAD: ChaCha20-Poly1305 from @noble/ciphers (synchronous, runs in any context).
 * Optional: AES-256-GCM through an injected WebCrypto SubtleCrypto (asynchronous), used by the
 * benchmark; lib code never reaches for crypto.subtle itself.
 *
 * Associated data = "veil-media-1" || codec id || trailer (CTR, KID, CFG) || piece count ||
 * for each piece: kind, length (u32), and for clear pieces their bytes. Enc pieces contribute
 * their plaintext length, so moving bytes between regions fails the tag.
 */

import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { CodecRules, Piece } from './codecs/types.ts';
import { concat } from './codecs/types.ts';
import { decodeTrailer, encodeTrailer, frameNonce, TAG_LENGTH, trailerLength } from './frame-format.ts';
import type { CipherSuite, MediaKeyRing } from './key-ring.ts';
import { ok, type Result } from '../result.ts';
import { mediaErr, type MediaError } from './errors.ts';

/**
 * The synchronous AEAD writes into the caller's buffer: every audio and video frame is built in
 * the one buffer that becomes the frame's data, with no intermediate copies.
 */
export interface SyncAead {
  readonly suite: CipherSuite;
  /** Writes ciphertext || 16-byte tag into `output` (exactly plaintext.length + 16 bytes, not overlapping it). */
  sealInto(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array): void;
  /**
   * Verifies the tag first; only then writes the plaintext into `output` (exactly sealed.length - 16
   * bytes, not overlapping it) and returns true. False when the tag does not verify: nothing is written.
   */
  openInto(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, output: Uint8Array): boolean;
}

export interface AsyncAead {
  readonly suite: CipherSuite;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | null>;
}

/** noble's ChaCha20-Poly1305 checks the tag before it writes any plaintext (RFC 8439 section 2.8). */
export const chachaAead: SyncAead = {
  suite: 'chacha20-poly1305',
  sealInto: (key, nonce, aad, plaintext, output) => {
    chacha20poly1305(key, nonce, aad).encrypt(plaintext, output);
  },
  openInto: (key, nonce, aad, sealed, output) => {
    try {
      chacha20poly1305(key, nonce, aad).decrypt(sealed, output);
      return true;
    } catch {
      return false;
    }
  },
};

/** The subset of SubtleCrypto used here, so lib code type-checks without DOM types. */
export interface SubtleLike {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'AES-GCM' }, extractable: false, usages: Array<'encrypt' | 'decrypt'>): Promise<unknown>;
  encrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: 128 }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: { name: 'AES-GCM'; iv: Uint8Array; additionalData: Uint8Array; tagLength: 128 }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

/** AES-256-GCM via an injected SubtleCrypto; imported keys are cached per key buffer. */
export function webCryptoAesGcm(subtle: SubtleLike): AsyncAead {
  const cache = new WeakMap<Uint8Array, Promise<unknown>>();
  const keyFor = (key: Uint8Array): Promise<unknown> => {
    let k = cache.get(key);
    if (k === undefined) {
      k = subtle.importKey('raw', key, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      cache.set(key, k);
    }
    return k;
  };
  return {
    suite: 'aes-256-gcm',
    async seal(key, nonce, aad, plaintext) {
      const ck = await keyFor(key);
      return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, ck, plaintext));
    },
    async open(key, nonce, aad, sealed) {
      const ck = await keyFor(key);
      try {
        return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, ck, sealed));
      } catch {
        return null;
      }
    },
  };
}

const DOMAIN = new TextEncoder().encode('veil-media-1');

function putU32(out: Uint8Array, at: number, n: number): number {
  out[at] = (n >>> 24) & 0xff;
  out[at + 1] = (n >>> 16) & 0xff;
  out[at + 2] = (n >>> 8) & 0xff;
  out[at + 3] = n & 0xff;
  return at + 4;
}

/**
 * `encLengths[i]` = plaintext length of the i-th enc piece. Written in one allocation: this runs
 * for every audio and video frame in both directions.
 */
export function buildAad(codecId: number, trailer: Uint8Array, pieces: readonly Piece[], encLengths: readonly number[]): Uint8Array {
  let size = DOMAIN.length + 1 + trailer.length + 4;
  for (const p of pieces) size += p.kind === 'clear' ? 5 + p.bytes.length : 5;
  const out = new Uint8Array(size);
  out.set(DOMAIN, 0);
  let o = DOMAIN.length;
  out[o++] = codecId;
  out.set(trailer, o);
  o = putU32(out, o + trailer.length, pieces.length);
  let e = 0;
  for (const p of pieces) {
    if (p.kind === 'clear') {
      out[o++] = 0;
      o = putU32(out, o, p.bytes.length);
      out.set(p.bytes, o);
      o += p.bytes.length;
    } else {
      out[o++] = 1;
      o = putU32(out, o, encLengths[e++] ?? 0);
    }
  }
  return out;
}

/** The bytes of the enc pieces in order; a single piece is used as it is (no copy). */
function joinEnc(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concat(parts);
}

export interface FrameInfo {
  epoch: number;
  counter: number;
}

interface SealJob {
  key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  plaintext: Uint8Array;
  info: FrameInfo;
  /** 'prefix' layout: the clear bytes before the one encrypted region; null otherwise. */
  clearPrefix: Uint8Array | null;
  trailer: Uint8Array;
  finish(sealed: Uint8Array): Uint8Array;
}

/** The clear prefix of a [clear, enc] split by 'prefix' rules, or null for any other shape. */
function prefixOf(rules: CodecRules, pieces: readonly Piece[]): Uint8Array | null {
  if (rules.layout !== 'prefix' || pieces.length !== 2) return null;
  const [first, second] = pieces;
  return first?.kind === 'clear' && second?.kind === 'enc' ? first.bytes : null;
}

function prepareSeal(ring: MediaKeyRing, rules: CodecRules, plain: Uint8Array, suite: CipherSuite): Result<SealJob, MediaError> {
  if (ring.suite !== suite) throw new Error('cipher suite of the AEAD differs from the key ring');
  const send = ring.nextSend();
  if (send === null) return mediaErr('no-key');
  if (send === 'exhausted') return mediaErr('counter-exhausted');
  const trailer = encodeTrailer({ keyId: send.epoch, counter: send.counter });
  const split = rules.split(plain, TAG_LENGTH + trailerLength({ keyId: send.epoch, counter: send.counter }));
  if (!split.ok) return split;
  const pieces = split.value;
  const encParts: Uint8Array[] = [];
  const encLengths: number[] = [];
  let lastEnc = -1;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.kind !== 'enc') continue;
    encParts.push(p.bytes);
    encLengths.push(p.bytes.length);
    lastEnc = i;
  }
  const aad = buildAad(rules.id, trailer, pieces, encLengths);
  // The AEAD reads its input and writes a fresh output: the split's own bytes can go in directly.
  const plaintext = joinEnc(encParts);
  return ok({
    key: send.key,
    nonce: frameNonce(send.salt, send.counter),
    aad,
    plaintext,
    info: { epoch: send.epoch, counter: send.counter },
    clearPrefix: prefixOf(rules, pieces),
    trailer,
    finish(sealed: Uint8Array): Uint8Array {
      const out: Piece[] = [];
      let off = 0;
      for (let i = 0; i < pieces.length; i++) {
        const p = pieces[i]!;
        if (p.kind === 'clear') {
          out.push(p);
          continue;
        }
        const n = p.bytes.length;
        if (i === lastEnc) {
          // ciphertext || tag || trailer in one allocation
          const last = new Uint8Array(sealed.length - off + trailer.length);
          last.set(sealed.subarray(off), 0);
          last.set(trailer, sealed.length - off);
          out.push({ kind: 'enc', bytes: last });
        } else {
          out.push({ kind: 'enc', bytes: sealed.subarray(off, off + n) });
        }
        off += n;
      }
      return rules.join(out);
    },
  });
}

export interface EncryptedFrame extends FrameInfo {
  data: Uint8Array;
}

export function encryptFrame(ring: MediaKeyRing, rules: CodecRules, plain: Uint8Array, aead: SyncAead = chachaAead): Result<EncryptedFrame, MediaError> {
  const job = prepareSeal(ring, rules, plain, aead.suite);
  if (!job.ok) return job;
  const j = job.value;
  const sealedLength = j.plaintext.length + TAG_LENGTH;
  if (j.clearPrefix !== null) {
    // clear || ciphertext || tag || trailer, written in place: the frame's only allocation.
    const n = j.clearPrefix.length;
    const out = new Uint8Array(n + sealedLength + j.trailer.length);
    out.set(j.clearPrefix, 0);
    aead.sealInto(j.key, j.nonce, j.aad, j.plaintext, out.subarray(n, n + sealedLength));
    out.set(j.trailer, n + sealedLength);
    return ok({ ...j.info, data: out });
  }
  const sealed = new Uint8Array(sealedLength);
  aead.sealInto(j.key, j.nonce, j.aad, j.plaintext, sealed);
  return ok({ ...j.info, data: j.finish(sealed) });
}

export async function encryptFrameAsync(ring: MediaKeyRing, rules: CodecRules, plain: Uint8Array, aead: AsyncAead): Promise<Result<EncryptedFrame, MediaError>> {
  const job = prepareSeal(ring, rules, plain, aead.suite);
  if (!job.ok) return job;
  const j = job.value;
  return ok({ ...j.info, data: j.finish(await aead.seal(j.key, j.nonce, j.aad, j.plaintext)) });
}

interface OpenJob {
  key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  sealed: Uint8Array;
  info: FrameInfo;
  /** 'prefix' layout: the clear bytes before the one encrypted region; null otherwise. */
  clearPrefix: Uint8Array | null;
  /** Marks the counter as seen; call only after the tag verified. */
  accept(): void;
  /** accept(), then rebuilds the plaintext frame from the pieces. */
  finish(plaintext: Uint8Array): Uint8Array;
}

function prepareOpen(ring: MediaKeyRing, rules: CodecRules, wire: Uint8Array, suite: CipherSuite): Result<OpenJob, MediaError> {
  if (ring.suite !== suite) throw new Error('cipher suite of the AEAD differs from the key ring');
  const parsed = rules.parse(wire);
  if (!parsed.ok) return parsed;
  const pieces = parsed.value;
  let lastEnc = -1;
  for (let i = 0; i < pieces.length; i++) if (pieces[i]!.kind === 'enc') lastEnc = i;
  const carrier = pieces[lastEnc];
  if (carrier === undefined) return mediaErr('malformed', 'no encrypted region');
  const trailer = decodeTrailer(carrier.bytes);
  if (!trailer.ok) return trailer;
  const t = trailer.value;
  if (carrier.bytes.length < t.length + TAG_LENGTH) return mediaErr('truncated', 'no room for the tag');
  const slot = ring.receiveKey(t.keyId);
  if (slot === null) return mediaErr('unknown-key', `epoch ${t.keyId}`);
  const verdict = slot.replay.check(t.counter);
  if (verdict !== 'fresh') return mediaErr('replay', verdict);
  const encLengths: number[] = [];
  const sealedParts: Uint8Array[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.kind !== 'enc') continue;
    if (i === lastEnc) {
      const body = p.bytes.subarray(0, p.bytes.length - t.length);
      encLengths.push(body.length - TAG_LENGTH);
      sealedParts.push(body);
    } else {
      encLengths.push(p.bytes.length);
      sealedParts.push(p.bytes);
    }
  }
  const aad = buildAad(rules.id, t.raw, pieces, encLengths);
  const accept = (): void => {
    slot.replay.mark(t.counter);
    ring.noteDecrypted(t.keyId);
  };
  return ok({
    key: slot.key,
    nonce: frameNonce(slot.salt, t.counter),
    aad,
    sealed: joinEnc(sealedParts),
    info: { epoch: t.keyId, counter: t.counter },
    clearPrefix: prefixOf(rules, pieces),
    accept,
    finish(plaintext: Uint8Array): Uint8Array {
      accept();
      const out: Piece[] = [];
      let off = 0;
      let e = 0;
      for (const p of pieces) {
        if (p.kind === 'clear') {
          out.push(p);
        } else {
          const n = encLengths[e++] ?? 0;
          out.push({ kind: 'enc', bytes: plaintext.subarray(off, off + n) });
          off += n;
        }
      }
      return rules.restore(out);
    },
  });
}

export function decryptFrame(ring: MediaKeyRing, rules: CodecRules, wire: Uint8Array, aead: SyncAead = chachaAead): Result<EncryptedFrame, MediaError> {
  const job = prepareOpen(ring, rules, wire, aead.suite);
  if (!job.ok) return job;
  const j = job.value;
  const plainLength = j.sealed.length - TAG_LENGTH;
  if (j.clearPrefix !== null) {
    // clear || plaintext, written in place: the frame's only allocation.
    const n = j.clearPrefix.length;
    const out = new Uint8Array(n + plainLength);
    if (!aead.openInto(j.key, j.nonce, j.aad, j.sealed, out.subarray(n))) return mediaErr('auth-failed');
    out.set(j.clearPrefix, 0);
    j.accept();
    return ok({ ...j.info, data: out });
  }
  const plain = new Uint8Array(plainLength);
  if (!aead.openInto(j.key, j.nonce, j.aad, j.sealed, plain)) return mediaErr('auth-failed');
  return ok({ ...j.info, data: j.finish(plain) });
}

export async function decryptFrameAsync(ring: MediaKeyRing, rules: CodecRules, wire: Uint8Array, aead: AsyncAead): Promise<Result<EncryptedFrame, MediaError>> {
  const job = prepareOpen(ring, rules, wire, aead.suite);
  if (!job.ok) return job;
  const j = job.value;
  const plain = await aead.open(j.key, j.nonce, j.aad, j.sealed);
  if (plain === null) return mediaErr('auth-failed');
  // Another frame with this counter may have verified while we awaited: re-check before marking.
  const slot = ring.receiveKey(j.info.epoch);
  if (slot === null) return mediaErr('unknown-key', 'key forgotten during decryption');
  if (slot.replay.check(j.info.counter) !== 'fresh') return mediaErr('replay', 'replay');
  return ok({ ...j.info, data: j.finish(plain) });
}
