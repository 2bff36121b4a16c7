import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CALL_ID_PREFIX,
  callIdFromSdp,
  callIdFromSides,
  iceTag,
  keepFirstBinding,
  MAX_ICE_VALUES,
  MAX_SDP_CHARS,
  normalizeFingerprint,
  sameFingerprints,
  sdpFingerprints,
  sdpIceCredentials,
} from '../../../lib/calls/sdp.ts';

const hex = (byte: number) => Array.from({ length: 32 }, (_, i) => ((byte + i) % 256).toString(16).padStart(2, '0')).join(':');
const FP_A = `sha-256 ${hex(0x10).toUpperCase()}`;
const FP_B = `sha-256 ${hex(0x80).toUpperCase()}`;
const FP_M = `sha-256 ${hex(0xc0).toUpperCase()}`;
const PWD_A = 'aaaaBBBBccccDDDDeeee0123';
const PWD_B = 'bbbbCCCCddddEEEEffff4567';

interface Ice {
  ufrag: string;
  pwd: string;
}
const ICE_A: Ice = { ufrag: 'uA1+', pwd: PWD_A };
const ICE_B: Ice = { ufrag: 'uB2/', pwd: PWD_B };

/** Chromium-like: fingerprint and ICE credentials in every m-section, fingerprint also at session level. */
const sdp = (fp: string, ice: Ice = ICE_A, extra = '') =>
  `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=fingerprint:${fp}\r\n` +
  `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:${ice.ufrag}\r\na=ice-pwd:${ice.pwd}\r\na=fingerprint:${fp}\r\n` +
  `m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:${ice.ufrag}\r\na=ice-pwd:${ice.pwd}\r\na=fingerprint:${fp}\r\n${extra}`;
/** Firefox-like: ICE credentials at session level only, LF line ends. */
const sdpSessionLevel = (fp: string, ice: Ice) =>
  `v=0\no=mozilla 1 0 IN IP4 0.0.0.0\ns=-\nt=0 0\na=fingerprint:${fp}\na=ice-pwd:${ice.pwd}\na=ice-ufrag:${ice.ufrag}\nm=audio 9 UDP/TLS/RTP/SAVPF 109\n`;

const idOf = (local: string, remote: string): string => {
  const r = callIdFromSdp(local, remote);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.callId;
};

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

describe('ICE credentials from SDP (hostile input)', () => {
  it('reads distinct ufrags and pwds at media and session level', () => {
    expect(sdpIceCredentials(sdp(FP_A, ICE_A))).toEqual({ ok: true, value: { ufrags: [ICE_A.ufrag], pwds: [PWD_A] } });
    expect(sdpIceCredentials(sdpSessionLevel(FP_A, ICE_B))).toEqual({ ok: true, value: { ufrags: [ICE_B.ufrag], pwds: [PWD_B] } });
    // Without BUNDLE each m-section may have its own pair: all of them, sorted.
    const two = sdp(FP_A, ICE_B) + `m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:${ICE_A.ufrag}\r\na=ice-pwd:${PWD_A}\r\n`;
    expect(sdpIceCredentials(two)).toEqual({ ok: true, value: { ufrags: [ICE_A.ufrag, ICE_B.ufrag].sort(), pwds: [PWD_A, PWD_B] } });
  });
  it('refuses missing, malformed, too many credentials and oversized SDP with typed errors', () => {
    const noIce = `v=0\r\na=fingerprint:${FP_A}\r\n`;
    expect(sdpIceCredentials(noIce)).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(sdpIceCredentials(`a=ice-ufrag:abcd\r\n`)).toMatchObject({ ok: false, error: { code: 'malformed' } }); // no pwd
    expect(sdpIceCredentials(sdp(FP_A, { ufrag: 'abc', pwd: PWD_A }))).toMatchObject({ ok: false, error: { code: 'malformed' } }); // < 4 chars
    expect(sdpIceCredentials(sdp(FP_A, { ufrag: 'ab;d', pwd: PWD_A }))).toMatchObject({ ok: false, error: { code: 'malformed' } }); // not an ice-char
    expect(sdpIceCredentials(sdp(FP_A, { ufrag: 'abcd', pwd: 'short' }))).toMatchObject({ ok: false, error: { code: 'malformed' } }); // < 22 chars
    expect(sdpIceCredentials(sdp(FP_A, { ufrag: 'a'.repeat(257), pwd: PWD_A }))).toMatchObject({ ok: false, error: { code: 'malformed' } });
    const many = Array.from({ length: MAX_ICE_VALUES + 1 }, (_, i) => `a=ice-ufrag:uf${i}x`).join('\r\n') + `\r\na=ice-pwd:${PWD_A}`;
    expect(sdpIceCredentials(many)).toMatchObject({ ok: false, error: { code: 'too-large' } });
    const okMany = Array.from({ length: MAX_ICE_VALUES }, (_, i) => `a=ice-ufrag:uf${i}x`).join('\r\n') + `\r\na=ice-pwd:${PWD_A}`;
    expect(sdpIceCredentials(okMany)).toMatchObject({ ok: true });
    expect(sdpIceCredentials(sdp(FP_A) + 'x'.repeat(MAX_SDP_CHARS))).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(sdpIceCredentials(null)).toMatchObject({ ok: false, error: { code: 'malformed' } });
    // callIdFromSdp passes the ICE error on: no keys for an SDP without ICE credentials.
    expect(callIdFromSdp(noIce, sdp(FP_B, ICE_B))).toMatchObject({ ok: false, error: { code: 'malformed' } });
  });
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (u, p) => {
      const r = sdpIceCredentials(`a=ice-ufrag:${u}\r\na=ice-pwd:${p}\n`);
      expect(typeof r.ok).toBe('boolean');
    }));
  });
  it('the ICE tag is a 64-hex digest that changes with the ufrag and with the pwd', () => {
    const t = iceTag({ ufrags: ['abcd'], pwds: [PWD_A] });
    expect(t).toMatch(/^[0-9a-f]{64}$/);
    expect(iceTag({ ufrags: ['abce'], pwds: [PWD_A] })).not.toBe(t);
    expect(iceTag({ ufrags: ['abcd'], pwds: [PWD_B] })).not.toBe(t);
    // The pwd itself is not in the tag (only its hash travels to the background).
    expect(t).not.toContain(PWD_A.toLowerCase());
  });
});

describe('call id bound to both sides', () => {
  it('is the same for caller and callee, and labelled v2', () => {
    const caller = idOf(sdp(FP_A, ICE_A), sdp(FP_B, ICE_B));
    const callee = idOf(sdp(FP_B, ICE_B), sdp(FP_A, ICE_A));
    expect(caller).toBe(callee);
    expect(caller.startsWith(`${CALL_ID_PREFIX}|`)).toBe(true);
    expect(CALL_ID_PREFIX).toBe('veil-call-v2');
  });
  it('is the same on both sides when one browser puts ICE at session level and the other per m-section', () => {
    expect(idOf(sdp(FP_A, ICE_A), sdpSessionLevel(FP_B, ICE_B))).toBe(idOf(sdpSessionLevel(FP_B, ICE_B), sdp(FP_A, ICE_A)));
  });
  it('differs when only the ICE credentials differ (same DTLS certificates reused)', () => {
    const call1 = idOf(sdp(FP_A, ICE_A), sdp(FP_B, ICE_B));
    // Same certificates on both sides, fresh credentials on one side only.
    expect(idOf(sdp(FP_A, { ufrag: 'uA9+', pwd: PWD_A }), sdp(FP_B, ICE_B))).not.toBe(call1);
    expect(idOf(sdp(FP_A, { ufrag: ICE_A.ufrag, pwd: 'zzzzBBBBccccDDDDeeee0123' }), sdp(FP_B, ICE_B))).not.toBe(call1);
    expect(idOf(sdp(FP_A, ICE_A), sdp(FP_B, { ufrag: 'uB3/', pwd: PWD_B }))).not.toBe(call1);
    // Swapping which side has which credentials is a different call too.
    expect(idOf(sdp(FP_A, ICE_B), sdp(FP_B, ICE_A))).not.toBe(call1);
  });
  it('property: both sides agree, and distinct credentials give distinct ids', () => {
    const iceChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/'.split(''));
    const word = (min: number, max: number) => fc.array(iceChars, { minLength: min, maxLength: max }).map((a) => a.join(''));
    const ice = fc.record({ ufrag: word(4, 12), pwd: word(22, 32) });
    fc.assert(
      fc.property(ice, ice, ice, (a, b, a2) => {
        const id = idOf(sdp(FP_A, a), sdp(FP_B, b));
        expect(idOf(sdp(FP_B, b), sdp(FP_A, a))).toBe(id);
        if (a2.ufrag !== a.ufrag || a2.pwd !== a.pwd) expect(idOf(sdp(FP_A, a2), sdp(FP_B, b))).not.toBe(id);
      }),
      { numRuns: 60 },
    );
  });
  it('differs on the two sides of a relay that terminates DTLS (fails closed)', () => {
    const tag = iceTag({ ufrags: ['abcd'], pwds: [PWD_A] });
    const tag2 = iceTag({ ufrags: ['efgh'], pwds: [PWD_B] });
    // Alice talks to the relay's certificate M1, Bob to M2 (even with ICE credentials passed through).
    const alice = callIdFromSides({ fingerprints: [FP_A], ice: tag }, { fingerprints: [FP_M], ice: tag2 });
    const bob = callIdFromSides({ fingerprints: [FP_B], ice: tag2 }, { fingerprints: [`sha-256 ${hex(0xe0).toUpperCase()}`], ice: tag });
    expect(alice.ok && bob.ok).toBe(true);
    if (alice.ok && bob.ok) expect(alice.value).not.toBe(bob.value);
    const b2 = callIdFromSides({ fingerprints: [FP_B], ice: tag2 }, { fingerprints: [FP_M], ice: tag });
    if (alice.ok && b2.ok) expect(alice.value).not.toBe(b2.value);
  });
  it('refuses a reflected SDP (same fingerprints on both sides), empty sides and bad ICE tags', () => {
    const tag = iceTag({ ufrags: ['abcd'], pwds: [PWD_A] });
    const tag2 = iceTag({ ufrags: ['efgh'], pwds: [PWD_B] });
    expect(callIdFromSides({ fingerprints: [FP_A], ice: tag }, { fingerprints: [FP_A], ice: tag2 })).toMatchObject({ ok: false, error: { code: 'bad-call-id' } });
    expect(callIdFromSides({ fingerprints: [], ice: tag }, { fingerprints: [FP_A], ice: tag2 })).toMatchObject({ ok: false });
    expect(callIdFromSides({ fingerprints: ['junk'], ice: tag }, { fingerprints: [FP_A], ice: tag2 })).toMatchObject({ ok: false });
    expect(callIdFromSides({ fingerprints: [FP_A], ice: 'abcd' }, { fingerprints: [FP_B], ice: tag2 })).toMatchObject({ ok: false, error: { code: 'malformed' } });
    expect(callIdFromSides({ fingerprints: [FP_A], ice: tag.toUpperCase() }, { fingerprints: [FP_B], ice: tag2 })).toMatchObject({ ok: false });
  });
});

describe('renegotiation and ICE restart keep the first binding', () => {
  const bind = (l: string, r: string) => {
    const b = callIdFromSdp(l, r);
    if (!b.ok) throw new Error(b.error.message);
    return b.value;
  };
  it('keeps the first id across an ICE restart on either side (new ufrag/pwd, same certificates)', () => {
    const first = bind(sdp(FP_A, ICE_A), sdp(FP_B, ICE_B));
    const restarted = bind(sdp(FP_A, { ufrag: 'new1', pwd: 'NEWpwdNEWpwdNEWpwdNEW1' }), sdp(FP_B, { ufrag: 'new2', pwd: 'NEWpwdNEWpwdNEWpwdNEW2' }));
    expect(restarted.callId).not.toBe(first.callId); // why the first one must be kept
    const kept = keepFirstBinding(first, restarted);
    expect(kept).toEqual({ binding: first, dtlsChanged: false });
    // The callee's connection sees the same first pair and the same restart.
    const calleeFirst = bind(sdp(FP_B, ICE_B), sdp(FP_A, ICE_A));
    expect(keepFirstBinding(calleeFirst, restarted).binding.callId).toBe(kept.binding.callId);
  });
  it('takes the first complete pair as it comes', () => {
    const first = bind(sdp(FP_A, ICE_A), sdp(FP_B, ICE_B));
    expect(keepFirstBinding(null, first)).toEqual({ binding: first, dtlsChanged: false });
  });
  it('flags new DTLS identities on the same connection (the keys are refused)', () => {
    const first = bind(sdp(FP_A, ICE_A), sdp(FP_B, ICE_B));
    expect(keepFirstBinding(first, bind(sdp(FP_A, ICE_A), sdp(FP_M, ICE_B))).dtlsChanged).toBe(true);
    expect(keepFirstBinding(first, bind(sdp(FP_M, ICE_A), sdp(FP_B, ICE_B))).dtlsChanged).toBe(true);
  });
  it('sameFingerprints ignores order and duplicates, never matches invalid lists', () => {
    expect(sameFingerprints([FP_A, FP_B], [FP_B, FP_A, FP_A])).toBe(true);
    expect(sameFingerprints([FP_A], [FP_B])).toBe(false);
    expect(sameFingerprints(['junk'], ['junk'])).toBe(false);
    expect(sameFingerprints([], [])).toBe(false);
  });
});
