/**
 * The background's defence in depth against nonce reuse: one call id's keys go to one
 * connection (tab + callRef) per browser session; a second connection is refused ('call-reused').
 */
import { describe, expect, it } from 'vitest';
import { IssuedCallIds, MAX_ISSUED_CALLS } from '../../../lib/calls/call-keys.ts';

const ID1 = 'veil-call-v2|sha-256 AA;' + 'a'.repeat(64) + '|sha-256 BB;' + 'b'.repeat(64);
const ID2 = 'veil-call-v2|sha-256 AA;' + 'c'.repeat(64) + '|sha-256 BB;' + 'd'.repeat(64);

describe('issued call ids', () => {
  it('lets the same connection ask again (retries) and refuses any other connection', () => {
    const reg = new IssuedCallIds();
    expect(reg.claim(ID1, 7, 'refAAAAAAAA')).toBe('new');
    expect(reg.claim(ID1, 7, 'refAAAAAAAA')).toBe('same-call');
    expect(reg.claim(ID1, 7, 'refBBBBBBBB')).toBe('reused'); // a second RTCPeerConnection in the tab
    expect(reg.claim(ID1, 8, 'refAAAAAAAA')).toBe('reused'); // another tab, even with the same callRef
    expect(reg.claim(ID2, 7, 'refBBBBBBBB')).toBe('new');
  });
  it('survives a background restart through its stored entries (hashes, not ids)', () => {
    const reg = new IssuedCallIds();
    reg.claim(ID1, 7, 'refAAAAAAAA');
    const saved = JSON.parse(JSON.stringify(reg.entries())) as unknown;
    expect(JSON.stringify(saved)).not.toContain('veil-call');
    const again = new IssuedCallIds(saved);
    expect(again.claim(ID1, 7, 'refBBBBBBBB')).toBe('reused');
    expect(again.claim(ID1, 7, 'refAAAAAAAA')).toBe('same-call');
  });
  it('is bounded: the oldest id is forgotten first', () => {
    const reg = new IssuedCallIds([], 3);
    for (const n of [1, 2, 3, 4]) expect(reg.claim(`id-${n}`, 1, `ref${n}xxxxxx`)).toBe('new');
    expect(reg.entries()).toHaveLength(3);
    expect(reg.claim('id-4', 1, 'refOTHERxxx')).toBe('reused');
    expect(reg.claim('id-1', 1, 'refOTHERxxx')).toBe('new'); // forgotten
    expect(new IssuedCallIds(Array.from({ length: MAX_ISSUED_CALLS + 50 }, () => ({ id: 'f'.repeat(64), tabId: 1, callRef: 'r' }))).entries()).toHaveLength(MAX_ISSUED_CALLS);
  });
  it('ignores malformed stored entries', () => {
    const good = { id: 'e'.repeat(64), tabId: 2, callRef: 'refGOODxxxx' };
    const reg = new IssuedCallIds([null, 'x', { id: 'short', tabId: 1, callRef: 'r' }, { id: 'e'.repeat(64), tabId: '2', callRef: 'r' }, good]);
    expect(reg.entries()).toEqual([good]);
    expect(new IssuedCallIds({ not: 'an array' }).entries()).toEqual([]);
  });
});
