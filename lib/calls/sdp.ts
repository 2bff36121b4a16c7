/**
 * Binds a call to its DTLS connection: the call id is made from the certificate fingerprints in
 * both SDPs (a=fingerprint, RFC 8122). Each side sees its own and the peer's fingerprint, so both
 * compute the same id. A relay that terminates DTLS and re-originates it shows each side a
 * different certificate, so the two sides compute different ids, derive different media keys
 * (nothing decrypts: fail closed) and read different SAS.
 */
import { fail, ok, type Result } from './result.ts';

/** Bounds for hostile SDP (a real offer is a few KB). */
export const MAX_SDP_CHARS = 256 * 1024;
export const MAX_FINGERPRINTS = 8;
const HASHES = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);
const CALL_ID_PREFIX = 'veil-call-v1';

/** One normalized fingerprint: "sha-256 AB:CD:…" (lower-case hash name, upper-case hex). */
export type Fingerprint = string;

export function normalizeFingerprint(raw: string): Fingerprint | null {
  const m = /^([A-Za-z0-9-]{1,16})[ \t]+((?:[0-9A-Fa-f]{2}:){15,63}[0-9A-Fa-f]{2})\s*$/.exec(raw.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const hash = m[1].toLowerCase();
  if (!HASHES.has(hash)) return null;
  return `${hash} ${m[2].toUpperCase()}`;
}

/** Every distinct a=fingerprint in an SDP (session or media level), sorted. */
export function sdpFingerprints(sdp: unknown): Result<Fingerprint[]> {
  if (typeof sdp !== 'string') return fail('malformed', 'SDP is not a string');
  if (sdp.length > MAX_SDP_CHARS) return fail('too-large', 'SDP too large');
  const found = new Set<Fingerprint>();
  for (const line of sdp.split(/\r?\n/)) {
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
 * The call id: both sides' fingerprint sets, each sorted, the two sides in sorted order, so the
 * caller and the callee compute the same string. Identical sides are refused (a reflected SDP).
 */
export function callIdFromFingerprints(local: readonly Fingerprint[], remote: readonly Fingerprint[]): Result<string> {
  const side = (fps: readonly Fingerprint[]): string | null => {
    if (fps.length === 0 || fps.length > MAX_FINGERPRINTS) return null;
    const norm: string[] = [];
    for (const f of fps) {
      const n = typeof f === 'string' ? normalizeFingerprint(f) : null;
      if (n === null) return null;
      norm.push(n);
    }
    return [...new Set(norm)].sort().join(',');
  };
  const a = side(local);
  const b = side(remote);
  if (a === null || b === null) return fail('no-fingerprint', 'both sides need valid fingerprints');
  if (a === b) return fail('bad-call-id', 'local and remote fingerprints are identical');
  return ok(`${CALL_ID_PREFIX}|${[a, b].sort().join('|')}`);
}

/** Both SDPs at once (what the main-world script has after an offer/answer exchange). */
export function callIdFromSdp(localSdp: unknown, remoteSdp: unknown): Result<{ callId: string; local: Fingerprint[]; remote: Fingerprint[] }> {
  const l = sdpFingerprints(localSdp);
  if (!l.ok) return l;
  const r = sdpFingerprints(remoteSdp);
  if (!r.ok) return r;
  const id = callIdFromFingerprints(l.value, r.value);
  return id.ok ? ok({ callId: id.value, local: l.value, remote: r.value }) : id;
}
