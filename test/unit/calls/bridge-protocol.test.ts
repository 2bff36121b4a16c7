import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPortHandoff, parseBridgeToMain, parseMainToBridge, PORT_HANDOFF } from '../../../lib/calls/bridge-protocol.ts';

const chain = 'ab'.repeat(32);
const ICE_L = '0a'.repeat(32);
const ICE_R = '1b'.repeat(32);
const req = (extra: Record<string, unknown>) => ({ v: 1, type: 'keys-request', reqId: 1, callRef: 'abcdefgh12', local: ['a'], remote: ['b'], localIce: ICE_L, remoteIce: ICE_R, ...extra });

describe('call bridge protocol', () => {
  it('accepts well-formed main-world messages and copies arrays', () => {
    const local = ['sha-256 AA'];
    const r = parseMainToBridge({ v: 1, type: 'keys-request', reqId: 3, callRef: 'abcdefgh12', local, remote: ['sha-256 BB'], localIce: ICE_L, remoteIce: ICE_R });
    expect(r.ok).toBe(true);
    if (r.ok && r.value.type === 'keys-request') {
      expect(r.value.local).not.toBe(local);
      expect([r.value.localIce, r.value.remoteIce]).toEqual([ICE_L, ICE_R]);
    }
    expect(parseMainToBridge({ v: 1, type: 'hello' }).ok).toBe(true);
    expect(parseMainToBridge({ v: 1, type: 'ended', callRef: 'abcdefgh12' }).ok).toBe(true);
  });
  it('rejects bad envelopes from the page realm', () => {
    for (const bad of [null, 'x', { v: 2, type: 'hello' }, { v: 1, type: 'keys-request', reqId: -1, callRef: 'abcdefgh12', local: ['a'], remote: ['b'] },
      { v: 1, type: 'keys-request', reqId: 1, callRef: 'bad ref!', local: ['a'], remote: ['b'] },
      { v: 1, type: 'keys-request', reqId: 1, callRef: 'abcdefgh12', local: [], remote: ['b'] },
      { v: 1, type: 'keys-request', reqId: 1, callRef: 'abcdefgh12', local: Array(9).fill('a'), remote: ['b'] },
      { v: 1, type: 'status', callRef: 'abcdefgh12', report: 'x' }, { v: 1, type: 'nope' },
      // ICE tags: required on both sides, 64 lower-case hex (a hash, never the raw ufrag/pwd).
      req({ localIce: undefined }), req({ remoteIce: undefined }), req({ localIce: ICE_L.toUpperCase() }), req({ remoteIce: 'abcd' }),
      req({ localIce: ICE_L + '00' }), req({ remoteIce: 42 })]) {
      expect(parseMainToBridge(bad).ok).toBe(false);
    }
  });
  it('main world accepts only well-formed keys and policy', () => {
    expect(parseBridgeToMain({ v: 1, type: 'keys', reqId: 1, reply: { ok: true, callId: 'c', sendChain: chain, recvChain: chain } }).ok).toBe(true);
    expect(parseBridgeToMain({ v: 1, type: 'keys', reqId: 1, reply: { ok: true, callId: 'c', sendChain: 'AB'.repeat(32), recvChain: chain } }).ok).toBe(false);
    expect(parseBridgeToMain({ v: 1, type: 'keys', reqId: 1, reply: { ok: false, code: 'no-session', message: 'm' } }).ok).toBe(true);
    expect(parseBridgeToMain({ v: 1, type: 'keys', reqId: 1, reply: { ok: false, code: 'other' } }).ok).toBe(false);
    expect(parseBridgeToMain({ v: 1, type: 'keys', reqId: 1, reply: { ok: false, code: 'call-reused', message: 'm' } })).toMatchObject({ ok: true, value: { reply: { ok: false, code: 'call-reused' } } });
    expect(parseBridgeToMain({ v: 1, type: 'policy', strict: 'yes' }).ok).toBe(false);
    expect(parseBridgeToMain({ v: 1, type: 'policy', strict: true })).toEqual({ ok: true, value: { v: 1, type: 'policy', strict: true } });
  });
  it('never throws on arbitrary values', () => {
    fc.assert(fc.property(fc.anything(), (x) => {
      expect(typeof parseMainToBridge(x).ok).toBe('boolean');
      expect(typeof parseBridgeToMain(x).ok).toBe('boolean');
    }));
  });
  it('recognizes the port handoff only with exactly one port', () => {
    expect(isPortHandoff({ veil: PORT_HANDOFF }, [{}])).toBe(true);
    expect(isPortHandoff({ veil: PORT_HANDOFF }, [])).toBe(false);
    expect(isPortHandoff({ veil: 'other' }, [{}])).toBe(false);
  });
});
