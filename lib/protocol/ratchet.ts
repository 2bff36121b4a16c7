// Double Ratchet as specified by Signal (header = dh, pn, n), written as pure functions:
// every call takes a state and returns a new one; the input is never mutated, so a failed
// decrypt leaves the caller's state exactly as it was. State is JSON-safe (hex strings).
import { bytesToHex, concatBytes, hexToBytes } from '../bytes.ts';
import { LABELS, MAX_PAST_REMOTE_KEYS, MAX_SKIP, MAX_STORED_SKIPPED_KEYS, SKIPPED_KEY_TTL_MS } from './constants.ts';
import { aeadOpen, aeadSeal, dh, generateX25519, hkdfSha256, hmacSha256 } from './primitives.ts';
import { err, ok, type Result } from '../result.ts';
import type { Rng } from './primitives.ts';
import { MAX_COUNTER, type RatchetHeader } from './wire.ts';

export interface SkippedKey {
  /** Remote ratchet public key of the chain (hex). */
  readonly dh: string;
  readonly n: number;
  /** Message key (hex). */
  readonly mk: string;
  /** When it was stored (caller's clock, ms); expired after SKIPPED_KEY_TTL_MS. */
  readonly at: number;
}

export interface RatchetState {
  readonly dhsSecret: string;
  readonly dhsPublic: string;
  readonly dhr: string | null;
  readonly rk: string;
  readonly cks: string | null;
  readonly ckr: string | null;
  readonly ns: number;
  readonly nr: number;
  readonly pn: number;
  /** Oldest first. */
  readonly skipped: readonly SkippedKey[];
  /** Remote ratchet keys we have moved past (oldest first): late copies are replays, not desync. */
  readonly pastDhr: readonly string[];
  /** Our own previous sending keys: chat sites show our own messages back to us. */
  readonly pastDhs: readonly string[];
}

export type RatchetErrorCode =
  | 'no-sending-chain'
  | 'counter-exhausted'
  | 'duplicate'
  | 'own-message'
  | 'too-many-skipped'
  | 'bad-ratchet-key'
  | 'auth-failed';

export interface RatchetError {
  readonly code: RatchetErrorCode;
  readonly message: string;
}

/** Builds the wire header bytes for a header; they are authenticated as part of the AD. */
export type HeaderEncoder = (header: RatchetHeader) => Uint8Array;

/** KDF_RK: HKDF-SHA256 with the root key as salt and the DH output as input key material. */
export function kdfRk(rk: Uint8Array, dhOut: Uint8Array): { rk: Uint8Array; ck: Uint8Array } {
  const okm = hkdfSha256({ ikm: dhOut, salt: rk, label: LABELS.ratchetRoot, length: 64 });
  return { rk: okm.slice(0, 32), ck: okm.slice(32, 64) };
}

/** KDF_CK: HMAC-SHA256 keyed by the chain key, constants 0x01 (message key) and 0x02 (next chain key). */
export function kdfCk(ck: Uint8Array): { ck: Uint8Array; mk: Uint8Array } {
  return { mk: hmacSha256(ck, Uint8Array.of(0x01)), ck: hmacSha256(ck, Uint8Array.of(0x02)) };
}

/** "Alice": knows the peer's ratchet public key and can send at once. */
export function initRatchetSender(
  sharedKey: Uint8Array,
  remoteRatchetKey: Uint8Array,
  rng: Rng,
): Result<RatchetState, RatchetError> {
  const pair = generateX25519(rng);
  const out = dh(pair.secretKey, remoteRatchetKey);
  if (!out) return err({ code: 'bad-ratchet-key', message: 'peer ratchet key is invalid' });
  const { rk, ck } = kdfRk(sharedKey, out);
  return ok({
    dhsSecret: bytesToHex(pair.secretKey),
    dhsPublic: bytesToHex(pair.publicKey),
    dhr: bytesToHex(remoteRatchetKey),
    rk: bytesToHex(rk),
    cks: bytesToHex(ck),
    ckr: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: [],
    pastDhr: [],
    pastDhs: [],
  });
}

/** "Bob": owns the ratchet key pair the sender used; cannot send until it receives. */
export function initRatchetReceiver(
  sharedKey: Uint8Array,
  ownRatchetKey: { secretKey: Uint8Array; publicKey: Uint8Array },
): RatchetState {
  return {
    dhsSecret: bytesToHex(ownRatchetKey.secretKey),
    dhsPublic: bytesToHex(ownRatchetKey.publicKey),
    dhr: null,
    rk: bytesToHex(sharedKey),
    cks: null,
    ckr: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: [],
    pastDhr: [],
    pastDhs: [],
  };
}

export function canSend(state: RatchetState): boolean {
  return state.cks !== null;
}

/** `ad`: the associated data before the header (the session's prefix); the header is appended. */
export function ratchetEncrypt(
  state: RatchetState,
  { plaintext, ad: adPrefix, encodeHeader }: { plaintext: Uint8Array; ad: Uint8Array; encodeHeader: HeaderEncoder },
): Result<{ state: RatchetState; wire: Uint8Array; header: RatchetHeader }, RatchetError> {
  if (state.cks === null) return err({ code: 'no-sending-chain', message: 'no sending chain until the peer speaks first' });
  if (state.ns >= MAX_COUNTER) return err({ code: 'counter-exhausted', message: 'sending chain exhausted; re-key' });
  const { ck, mk } = kdfCk(hexToBytes(state.cks));
  const header: RatchetHeader = { dh: hexToBytes(state.dhsPublic), pn: state.pn, n: state.ns };
  const headerBytes = encodeHeader(header);
  const ct = aeadSeal(mk, plaintext, concatBytes(adPrefix, headerBytes));
  return ok({ state: { ...state, cks: bytesToHex(ck), ns: state.ns + 1 }, wire: concatBytes(headerBytes, ct), header });
}

/** Mutable scratch copy used inside one decrypt; discarded unless authentication succeeds. */
interface Draft {
  dhsSecret: string;
  dhsPublic: string;
  dhr: string | null;
  rk: string;
  cks: string | null;
  ckr: string | null;
  ns: number;
  nr: number;
  pn: number;
  skipped: SkippedKey[];
  pastDhr: string[];
  pastDhs: string[];
}

function skipTo(d: Draft, until: number, now: number): RatchetError | null {
  if (d.ckr === null) return null;
  if (until - d.nr > MAX_SKIP) {
    return { code: 'too-many-skipped', message: `message is more than ${MAX_SKIP} ahead of the chain` };
  }
  let ck: Uint8Array = hexToBytes(d.ckr);
  while (d.nr < until) {
    const step = kdfCk(ck);
    d.skipped.push({ dh: d.dhr as string, n: d.nr, mk: bytesToHex(step.mk), at: now });
    ck = step.ck;
    d.nr += 1;
  }
  d.ckr = bytesToHex(ck);
  return null;
}

function dhRatchet(d: Draft, remote: Uint8Array, rng: Rng): RatchetError | null {
  const out1 = dh(hexToBytes(d.dhsSecret), remote);
  if (!out1) return { code: 'bad-ratchet-key', message: 'header ratchet key is invalid' };
  if (d.dhr !== null) d.pastDhr.push(d.dhr);
  d.pn = d.ns;
  d.ns = 0;
  d.nr = 0;
  d.dhr = bytesToHex(remote);
  const recv = kdfRk(hexToBytes(d.rk), out1);
  d.ckr = bytesToHex(recv.ck);
  const pair = generateX25519(rng);
  const out2 = dh(pair.secretKey, remote);
  if (!out2) return { code: 'bad-ratchet-key', message: 'header ratchet key is invalid' };
  const send = kdfRk(recv.rk, out2);
  d.rk = bytesToHex(send.rk);
  d.cks = bytesToHex(send.ck);
  d.pastDhs.push(d.dhsPublic);
  d.dhsSecret = bytesToHex(pair.secretKey);
  d.dhsPublic = bytesToHex(pair.publicKey);
  return null;
}

function live(k: SkippedKey, now: number): boolean {
  return now - k.at <= SKIPPED_KEY_TTL_MS;
}

function finish(d: Draft, now: number): RatchetState {
  let skipped = d.skipped.filter((k) => live(k, now));
  if (skipped.length > MAX_STORED_SKIPPED_KEYS) skipped = skipped.slice(skipped.length - MAX_STORED_SKIPPED_KEYS);
  const pastDhr = d.pastDhr.slice(-MAX_PAST_REMOTE_KEYS);
  const pastDhs = d.pastDhs.slice(-MAX_PAST_REMOTE_KEYS);
  return { ...d, skipped, pastDhr, pastDhs };
}

/** One received ratchet message: its decoded header, the header's bytes, the ciphertext. */
export interface RatchetMessage {
  header: RatchetHeader;
  headerBytes: Uint8Array;
  ciphertext: Uint8Array;
  /** The associated data before the header (the session's prefix). */
  ad: Uint8Array;
  /** Clock (ms) for skipped-key expiry. */
  now: number;
  rng: Rng;
}

export function ratchetDecrypt(
  state: RatchetState,
  { header, headerBytes, ciphertext, ad: adPrefix, now, rng }: RatchetMessage,
): Result<{ state: RatchetState; plaintext: Uint8Array }, RatchetError> {
  const ad = concatBytes(adPrefix, headerBytes);
  const dhHex = bytesToHex(header.dh);
  const authFailed: RatchetError = { code: 'auth-failed', message: 'message failed authentication' };

  // 1. A key skipped earlier (out-of-order delivery).
  const idx = state.skipped.findIndex((k) => k.dh === dhHex && k.n === header.n && live(k, now));
  if (idx >= 0) {
    const entry = state.skipped[idx] as SkippedKey;
    const pt = aeadOpen(hexToBytes(entry.mk), ciphertext, ad);
    if (!pt) return err(authFailed);
    const d: Draft = { ...state, skipped: state.skipped.filter((_, i) => i !== idx), pastDhr: [...state.pastDhr], pastDhs: [...state.pastDhs] };
    return ok({ state: finish(d, now), plaintext: pt });
  }

  // 2. Already consumed (or expired): a replay or a re-rendered old message, not a desync.
  const isCurrent = state.dhr === dhHex;
  if (dhHex === state.dhsPublic || state.pastDhs.includes(dhHex)) {
    return err({ code: 'own-message', message: 'this is one of our own messages' });
  }
  if ((isCurrent && header.n < state.nr) || state.pastDhr.includes(dhHex)) {
    return err({ code: 'duplicate', message: 'message key already used or expired' });
  }

  const d: Draft = { ...state, skipped: [...state.skipped], pastDhr: [...state.pastDhr], pastDhs: [...state.pastDhs] };
  if (!isCurrent) {
    const e1 = skipTo(d, header.pn, now);
    if (e1) return err(e1);
    const e2 = dhRatchet(d, header.dh, rng);
    if (e2) return err(e2);
  }
  const e3 = skipTo(d, header.n, now);
  if (e3) return err(e3);
  if (d.ckr === null) return err(authFailed);
  const step = kdfCk(hexToBytes(d.ckr));
  const pt = aeadOpen(step.mk, ciphertext, ad);
  if (!pt) return err(authFailed);
  d.ckr = bytesToHex(step.ck);
  d.nr += 1;
  return ok({ state: finish(d, now), plaintext: pt });
}
