/** The background's schema for content:call-keys: the ICE tags are required, bounded, hex only. */
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { schemas } from '../../../lib/messaging/protocol.ts';
import { iceTag } from '../../../lib/calls/sdp.ts';

const FP = `sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`;
const base = {
  callRef: 'abcdefgh12',
  local: [FP],
  remote: [FP],
  localIce: iceTag({ ufrags: ['abcd'], pwds: ['p'.repeat(22)] }),
  remoteIce: iceTag({ ufrags: ['efgh'], pwds: ['q'.repeat(22)] }),
};
const parse = (x: unknown) => v.safeParse(schemas['content:call-keys'], x).success;

describe('content:call-keys schema', () => {
  it('accepts fingerprints with both ICE tags', () => {
    expect(parse(base)).toBe(true);
  });
  it('refuses a request without, or with a malformed, ICE tag, and extra fields (a raw pwd)', () => {
    const { localIce: _l, ...noLocal } = base;
    const { remoteIce: _r, ...noRemote } = base;
    expect(parse(noLocal)).toBe(false);
    expect(parse(noRemote)).toBe(false);
    expect(parse({ ...base, localIce: base.localIce.toUpperCase() })).toBe(false);
    expect(parse({ ...base, remoteIce: base.remoteIce.slice(1) })).toBe(false);
    expect(parse({ ...base, remoteIce: base.remoteIce + '0' })).toBe(false);
    expect(parse({ ...base, localIce: 'x'.repeat(100_000) })).toBe(false);
    expect(parse({ ...base, localPwd: 'p'.repeat(22) })).toBe(false);
  });
});
