import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { callIdFromFingerprints, callIdFromSdp, MAX_SDP_CHARS, normalizeFingerprint, sdpFingerprints } from '../../../lib/calls/sdp.ts';

const hex = (byte: number) => Array.from({ length: 32 }, (_, i) => ((byte + i) % 256).toString(16).padStart(2, '0')).join(':');
const FP_A = `sha-256 ${hex(0x10).toUpperCase()}`;
const FP_B = `sha-256 ${hex(0x80).toUpperCase()}`;
const FP_M = `sha-256 ${hex(0xc0).toUpperCase()}`;
const sdp = (fp: string, extra = '') => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:${fp}\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:${fp}\r\n${extra}`;

describe('DTLS fingerprints from SDP', () => {
  it('reads and normalizes a=fingerprint (case, duplicates at session and media level)', () => {
    const r = sdpFingerprints(sdp(FP_A.toLowerCase().replace('sha-256', 'SHA-256')));
    expect(r).toEqual({ ok: true, value: [FP_A] });
  });
  it('refuses SDP without fingerprint, with a malformed one, too many, or too large', () => {
    expect(sdpFingerprints('v=0\r\n')).toMatchObject({ ok: false, error: { code: 'no-fingerprint' } });
    expect(sdpFingerprints(sdp('sha-256 zz:11'))).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(sdpFingerprints(sdp('md5 ' + hex(1)))).toMatchObject({ ok: false, error: { code: 'malformed' } });
    const many = Array.from({ length: 9 }, (_, i) => `a=fingerprint:sha-256 ${hex(i * 20)}`).join('\r\n');
    expect(sdpFingerprints(many)).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(sdpFingerprints(sdp(FP_A) + 'x'.repeat(MAX_SDP_CHARS))).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(sdpFingerprints(42)).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = sdpFingerprints(`a=fingerprint:${s}`);
      expect(typeof r.ok).toBe('boolean');
    }));
  });
  it('normalizeFingerprint rejects short digests and unknown hashes', () => {
    expect(normalizeFingerprint('sha-256 AB:CD')).toBeNull();
    expect(normalizeFingerprint('whirlpool ' + hex(3))).toBeNull();
    expect(normalizeFingerprint(`sha-1 ${hex(5).split(':').slice(0, 20).join(':')}`)).toMatch(/^sha-1 /);
  });
});

describe('call id bound to both sides', () => {
  it('is the same for caller and callee', () => {
    const caller = callIdFromSdp(sdp(FP_A), sdp(FP_B));
    const callee = callIdFromSdp(sdp(FP_B), sdp(FP_A));
    expect(caller.ok && callee.ok).toBe(true);
    if (caller.ok && callee.ok) expect(caller.value.callId).toBe(callee.value.callId);
  });
  it('differs on the two sides of a relay that terminates DTLS (fails closed)', () => {
    // Alice talks to the relay's certificate M1, Bob to M2.
    const alice = callIdFromFingerprints([FP_A], [FP_M]);
    const bob = callIdFromFingerprints([FP_B], [`sha-256 ${hex(0xe0).toUpperCase()}`]);
    expect(alice.ok && bob.ok).toBe(true);
    if (alice.ok && bob.ok) expect(alice.value).not.toBe(bob.value);
    // Even a relay reusing one certificate toward both sides gives each a different id.
    const a2 = callIdFromFingerprints([FP_A], [FP_M]);
    const b2 = callIdFromFingerprints([FP_B], [FP_M]);
    if (a2.ok && b2.ok) expect(a2.value).not.toBe(b2.value);
  });
  it('refuses a reflected SDP (same fingerprint on both sides) and empty sides', () => {
    expect(callIdFromFingerprints([FP_A], [FP_A])).toMatchObject({ ok: false, error: { code: 'bad-call-id' } });
    expect(callIdFromFingerprints([], [FP_A])).toMatchObject({ ok: false });
    expect(callIdFromFingerprints(['junk'], [FP_A])).toMatchObject({ ok: false });
  });
});
