/**
 * Binds a call to its connection. The call id is made from:
 *
 * - the DTLS certificate fingerprints in both SDPs (a=fingerprint, RFC 8122). Each side sees its
 *   own and the peer's fingerprint, so both compute the same id. A relay that terminates DTLS and
 *   re-originates it shows each side a different certificate, so the two sides compute different
 *   ids, derive different media keys (nothing decrypts: fail closed) and read different SAS;
 * - both sides' ICE credentials (a=ice-ufrag, a=ice-pwd, RFC 8839), which browsers draw fresh for
 *   every RTCPeerConnection. DTLS certificates may be reused across connections (a page passes the
 *   same `certificates`, or persists them in IndexedDB); without fresh input two connections of
 *   the same pair would derive the same frame keys and both count nonces from 0. The ufrag alone
 *   is only ≥ 24 random bits (RFC 8839, ice-ufrag/ice-pwd attributes), too few to rule out
 *   collisions, so the pwd (≥ 128 bits) is mixed in too. The pwd is an ICE secret: it is hashed here, in the main world,
 *   and only the per-side hash (the "ICE tag") travels to the background.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '../bytes.ts';
import { fail, ok, type Result } from '../result.ts';
import type { CallError } from './errors.ts';

/** Bounds for hostile SDP (a real offer is a few KB). */
export const MAX_SDP_CHARS = 256 * 1024;
export const MAX_FINGERPRINTS = 8;
/** Distinct ufrags (and, separately, pwds) per SDP: one per m-section at most without BUNDLE. */
export const MAX_ICE_VALUES = 8;
const HASHES = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);
/** v2: the id also binds both sides' ICE credentials (v1 had the fingerprints only). */
export const CALL_ID_PREFIX = 'veil-call-v2';
const ICE_TAG_LABEL = 'veil/v2/call-ice';
/** RFC 8839 grammar: ufrag 4-256 ice-chars, pwd 22-256 ice-chars (ice-char = ALPHA / DIGIT / "+" / "/"). */
const UFRAG = /^[A-Za-z0-9+/]{4,256}$/;
const PWD = /^[A-Za-z0-9+/]{22,256}$/;
const ICE_TAG = /^[0-9a-f]{64}$/;

/** One normalized fingerprint: "sha-256 AB:CD:…" (lower-case hash name, upper-case hex). */
export type Fingerprint = string;
/** Hex SHA-256 over one side's ICE credentials (see iceTag). */
export type IceTag = string;

export interface IceCredentials {
  /** Sorted, distinct. */
  ufrags: string[];
  pwds: string[];
}

/** One side of a call as the call id sees it. */
export interface CallSide {
  fingerprints: readonly Fingerprint[];
  ice: IceTag;
}

export function normalizeFingerprint(raw: string): Fingerprint | null {
  const m = /^([A-Za-z0-9-]{1,16})[ \t]+((?:[0-9A-Fa-f]{2}:){15,63}[0-9A-Fa-f]{2})\s*$/.exec(raw.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const hash = m[1].toLowerCase();
  if (!HASHES.has(hash)) return null;
  return `${hash} ${m[2].toUpperCase()}`;
}

function sdpLines(sdp: unknown): Result<string[], CallError> {
  if (typeof sdp !== 'string') return fail('malformed', 'SDP is not a string');
  if (sdp.length > MAX_SDP_CHARS) return fail('too-large', 'SDP too large');
  return ok(sdp.split(/\r?\n/));
}

/** Every distinct a=fingerprint in an SDP (session or media level), sorted. */
export function sdpFingerprints(sdp: unknown): Result<Fingerprint[], CallError> {
  const lines = sdpLines(sdp);
  if (!lines.ok) return lines;
  const found = new Set<Fingerprint>();
  for (const line of lines.value) {
    if (!line.startsWith('a=fingerprint:')) continue;
    const fp = normalizeFingerprint(line.slice('a=fingerprint:'.length));
    if (fp === null) return fail('malformed', 'unreadable a=fingerprint line');
    found.add(fp);
    if (found.size > MAX_FINGERPRINTS) return fail('too-large', 'too many fingerprints');
  }
  if (found.size === 0) return fail('no-fingerprint', 'SDP has no DTLS fingerprint');
  return ok([...found].sort());
}

/**
 * Every distinct a=ice-ufrag and a=ice-pwd (session or media level), each list sorted. Browsers
 * use one pair for all bundled m-sections; a few distinct ones are allowed, more are refused.
 * An SDP without them is not a WebRTC SDP (JSEP requires both): malformed.
 */
export function sdpIceCredentials(sdp: unknown): Result<IceCredentials, CallError> {
  const lines = sdpLines(sdp);
  if (!lines.ok) return lines;
  const ufrags = new Set<string>();
  const pwds = new Set<string>();
  for (const line of lines.value) {
    const isUfrag = line.startsWith('a=ice-ufrag:');
    if (!isUfrag && !line.startsWith('a=ice-pwd:')) continue;
    const value = line.slice(isUfrag ? 'a=ice-ufrag:'.length : 'a=ice-pwd:'.length).trimEnd();
    if (!(isUfrag ? UFRAG : PWD).test(value)) return fail('malformed', isUfrag ? 'unreadable a=ice-ufrag line' : 'unreadable a=ice-pwd line');
    const set = isUfrag ? ufrags : pwds;
    set.add(value);
    if (set.size > MAX_ICE_VALUES) return fail('too-large', 'too many ICE credentials');
  }
  if (ufrags.size === 0 || pwds.size === 0) return fail('malformed', 'SDP has no ICE credentials');
  return ok({ ufrags: [...ufrags].sort(), pwds: [...pwds].sort() });
}

/**
 * One side's ICE tag: SHA-256 of a labelled encoding of its sorted ufrags and pwds. ice-chars
 * contain neither "," nor "\n", so the encoding is unambiguous. The pwd (≥ 128 random bits) makes
 * the tag unguessable and fresh per connection; the hash keeps the pwd itself in the main world.
 */
export function iceTag(c: IceCredentials): IceTag {
  return bytesToHex(sha256(utf8ToBytes(`${ICE_TAG_LABEL}\n${c.ufrags.join(',')}\n${c.pwds.join(',')}`)));
}

export function isIceTag(x: unknown): x is IceTag {
  return typeof x === 'string' && ICE_TAG.test(x);
}

function fingerprintSide(fps: readonly Fingerprint[]): string | null {
  if (!Array.isArray(fps) || fps.length === 0 || fps.length > MAX_FINGERPRINTS) return null;
  const norm: string[] = [];
  for (const f of fps) {
    const n = typeof f === 'string' ? normalizeFingerprint(f) : null;
    if (n === null) return null;
    norm.push(n);
  }
  return [...new Set(norm)].sort().join(',');
}

/** Same DTLS identities on both sides (order and duplicates ignored)? Invalid lists are never equal. */
export function sameFingerprints(a: readonly Fingerprint[], b: readonly Fingerprint[]): boolean {
  const x = fingerprintSide(a);
  return x !== null && x === fingerprintSide(b);
}

/**
 * The call id: each side is its fingerprint set (sorted) and its ICE tag; the two sides in sorted
 * order, so the caller and the callee compute the same string:
 * "veil-call-v2|" + sort([fpsA + ";" + iceA, fpsB + ";" + iceB]).join("|").
 * Identical fingerprint sets on both sides are refused (a reflected SDP).
 */
export function callIdFromSides(local: CallSide, remote: CallSide): Result<string, CallError> {
  const a = fingerprintSide(local.fingerprints);
  const b = fingerprintSide(remote.fingerprints);
  if (a === null || b === null) return fail('no-fingerprint', 'both sides need valid fingerprints');
  if (a === b) return fail('bad-call-id', 'local and remote fingerprints are identical');
  if (!isIceTag(local.ice) || !isIceTag(remote.ice)) return fail('malformed', 'both sides need an ICE tag');
  return ok(`${CALL_ID_PREFIX}|${[`${a};${local.ice}`, `${b};${remote.ice}`].sort().join('|')}`);
}

export interface SdpCallBinding {
  callId: string;
  local: Fingerprint[];
  remote: Fingerprint[];
  localIce: IceTag;
  remoteIce: IceTag;
}

function sideOf(sdp: unknown): Result<{ fingerprints: Fingerprint[]; ice: IceTag }, CallError> {
  const fps = sdpFingerprints(sdp);
  if (!fps.ok) return fps;
  const ice = sdpIceCredentials(sdp);
  if (!ice.ok) return ice;
  return ok({ fingerprints: fps.value, ice: iceTag(ice.value) });
}

/** Both SDPs at once (what the main-world script has after an offer/answer exchange). */
export function callIdFromSdp(localSdp: unknown, remoteSdp: unknown): Result<SdpCallBinding, CallError> {
  const l = sideOf(localSdp);
  if (!l.ok) return l;
  const r = sideOf(remoteSdp);
  if (!r.ok) return r;
  const id = callIdFromSides(l.value, r.value);
  if (!id.ok) return id;
  return ok({ callId: id.value, local: l.value.fingerprints, remote: r.value.fingerprints, localIce: l.value.ice, remoteIce: r.value.ice });
}

/**
 * Which binding a connection keeps after a description change. The first complete local+remote
 * pair fixes the call id: renegotiations and ICE restarts change ufrag/pwd (and so would change
 * the id) but not the call, so they keep it. New DTLS identities on the same connection are a
 * different matter: the old keys are no longer bound to it (`dtlsChanged`: refuse them).
 */
export function keepFirstBinding(first: SdpCallBinding | null, current: SdpCallBinding): { binding: SdpCallBinding; dtlsChanged: boolean } {
  if (first === null) return { binding: current, dtlsChanged: false };
  const same = sameFingerprints(first.local, current.local) && sameFingerprints(first.remote, current.remote);
  return { binding: first, dtlsChanged: !same };
}
