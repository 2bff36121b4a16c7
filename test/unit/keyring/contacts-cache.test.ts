import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../../lib/keyring/index.ts';
import { entrySize } from '../../../lib/keyring/plaintext-cache.ts';
import { digestOf, errorCode, expectOk, freshKeyring, key, memoryEnv, openKeyring, USER } from './helpers.ts';

describe('contacts: TOFU, key change, blocked sending', () => {
  it('new-contact, same, key-changed, blocked until accepted; history kept', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    expect(expectOk(await kr.canSend('s.example', 'bob'))).toEqual({ allowed: false, reason: 'unknown-contact' });
    const first = expectOk(await kr.observePeerKey('s.example', 'bob', key(1), 100));
    expect(first.status).toBe('new-contact');
    expect(first.contact.fingerprint).toBe(fingerprintOf(key(1)));
    expect(expectOk(await kr.observePeerKey('s.example', 'bob', key(1), 200)).status).toBe('same');
    expect(expectOk(await kr.canSend('s.example', 'bob'))).toEqual({ allowed: true, verified: false });

    const changed = expectOk(await kr.observePeerKey('s.example', 'bob', key(2), 300));
    expect(changed.status).toBe('key-changed');
    expect(changed.contact).toMatchObject({ keyChanged: true, verified: false, firstSeen: 100, keySince: 300 });
    expect(changed.contact.history).toEqual([{ key: first.contact.key, fingerprint: first.contact.fingerprint, firstSeen: 100, replacedAt: 300 }]);
    expect(expectOk(await kr.canSend('s.example', 'bob'))).toEqual({ allowed: false, reason: 'key-changed' });
    // Seeing the new key again does not quietly clear the warning.
    expect(expectOk(await kr.observePeerKey('s.example', 'bob', key(2), 400)).status).toBe('key-changed');
    // Same handle on another site is a different contact.
    expect(expectOk(await kr.observePeerKey('t.example', 'bob', key(2), 400)).status).toBe('new-contact');

    // The block survives a restart.
    const again = await openKeyring(env);
    expect(expectOk(await again.canSend('s.example', 'bob'))).toEqual({ allowed: false, reason: 'key-changed' });
    expect(errorCode(await again.acceptKeyChange('s.example', 'bob', changed.contact.fingerprint, {} as typeof USER))).toBe('not-user-origin');
    expect(errorCode(await again.acceptKeyChange('s.example', 'bob', fingerprintOf(key(1)), USER))).toBe('fingerprint-mismatch');
    expect(expectOk(await again.canSend('s.example', 'bob')).allowed).toBe(false);
    expectOk(await again.acceptKeyChange('s.example', 'bob', changed.contact.fingerprint, USER));
    expect(expectOk(await again.canSend('s.example', 'bob'))).toEqual({ allowed: true, verified: false });
  });

  it('markVerified verifies the shown key and clears a key change; a later change un-verifies', async () => {
    const kr = await freshKeyring(memoryEnv());
    expectOk(await kr.observePeerKey('s.example', 'bob', key(1)));
    expectOk(await kr.observePeerKey('s.example', 'bob', key(2)));
    expect(errorCode(await kr.markVerified('s.example', 'bob', fingerprintOf(key(2)), { origin: 'page' } as unknown as typeof USER))).toBe('not-user-origin');
    expectOk(await kr.markVerified('s.example', 'bob', fingerprintOf(key(2)), USER));
    expect(expectOk(await kr.canSend('s.example', 'bob'))).toEqual({ allowed: true, verified: true });
    expect(expectOk(await kr.observePeerKey('s.example', 'bob', key(3))).contact).toMatchObject({ verified: false, keyChanged: true });
    expect(errorCode(await kr.markVerified('s.example', 'nobody', fingerprintOf(key(3)), USER))).toBe('not-found');
  });

  it('rejects malformed input', async () => {
    const kr = await freshKeyring(memoryEnv());
    expect(errorCode(await kr.observePeerKey('', 'bob', key(1)))).toBe('invalid-argument');
    expect(errorCode(await kr.observePeerKey('s', 'bo\nb', key(1)))).toBe('invalid-argument');
    expect(errorCode(await kr.observePeerKey('s', 'bob', new Uint8Array(0)))).toBe('invalid-argument');
    expect(errorCode(await kr.observePeerKey('s', 'bob', 'AAAA' as unknown as Uint8Array))).toBe('invalid-argument');
  });
});

function msg(i: number, over: Partial<{ conversation: string; time: number; plaintext: string; site: string }> = {}) {
  return {
    digest: digestOf(`ciphertext-${i}`),
    kind: 'text' as const,
    site: over.site ?? 'chat.example',
    conversation: over.conversation ?? 'room',
    direction: 'received' as const,
    sender: 'bob',
    badge: 'verified',
    plaintext: over.plaintext ?? `message number ${i} `.padEnd(200, 'x'),
    ...(over.time !== undefined ? { time: over.time } : {}),
  };
}

describe('plaintext cache', () => {
  it('stores and finds by digest; persists across a new Keyring over the same store', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    const put = expectOk(await kr.cachePut(msg(1)));
    expect(put.digest).toBe(digestOf('ciphertext-1'));
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-1') }))).toMatchObject({ plaintext: msg(1).plaintext });
    expect(expectOk(await kr.cacheGet({ digest: put.digest }))?.conversation).toBe('room');
    expect(expectOk(await kr.cacheGet({ digest: digestOf('unknown') }))).toBeNull();
    expect(errorCode(await kr.cacheGet({ digest: 'ABC' }))).toBe('invalid-argument');

    const again = await openKeyring(env);
    expect(expectOk(await again.cacheStats()).loadedShards).toBe(0); // lazy: nothing decrypted yet
    expect(expectOk(await again.cacheGet({ digest: digestOf('ciphertext-1') }))).toMatchObject({ plaintext: msg(1).plaintext, direction: 'received', sender: 'bob', badge: 'verified' });
    expect(expectOk(await again.cacheStats()).loadedShards).toBe(1);
  });

  it('evicts least-recently-used entries when over the byte cap', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    const one = expectOk(await kr.cachePut(msg(0)));
    const size = entrySize(one);
    const cap = 128 * 1024;
    expectOk(await kr.updateSettings({ cacheMaxBytes: cap, autoLockMinutes: 0 }, USER));
    const fit = Math.floor(cap / size);
    for (let i = 1; i < fit; i++) {
      env.clock.advance(1000);
      expectOk(await kr.cachePut(msg(i)));
    }
    expect(expectOk(await kr.cacheStats()).messages).toBe(fit);
    // Touch message 0 (old enough to refresh its lastUsed), so message 1 becomes the LRU one.
    env.clock.advance(2 * 60 * 60 * 1000);
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-0') }))).not.toBeNull();
    env.clock.advance(1000);
    expectOk(await kr.cachePut(msg(fit)));
    const stats = expectOk(await kr.cacheStats());
    expect(stats.messages).toBe(fit);
    expect(stats.bytes).toBeLessThanOrEqual(cap);
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-1') }))).toBeNull();
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-0') }))).not.toBeNull();
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-2') }))).not.toBeNull();
    expect(expectOk(await kr.cacheGet({ digest: digestOf(`ciphertext-${fit}`) }))).not.toBeNull();
    // Eviction is durable.
    const again = await openKeyring(env);
    expect(expectOk(await again.cacheGet({ digest: digestOf('ciphertext-1') }))).toBeNull();
    expect(expectOk(await again.cacheStats()).messages).toBe(fit);
    // Lowering the cap evicts immediately.
    expectOk(await again.updateSettings({ cacheMaxBytes: cap / 2 }, USER));
    expect(expectOk(await again.cacheStats()).bytes).toBeLessThanOrEqual(cap / 2);
  });

  it('retention deletes messages older than N days; forgetConversation deletes one conversation', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    const day = 24 * 60 * 60 * 1000;
    const now = env.clock.t;
    expectOk(await kr.updateSettings({ autoLockMinutes: 0 }, USER));
    for (let i = 0; i < 20; i++) expectOk(await kr.cachePut(msg(i, { time: now - (i < 5 ? 40 : 1) * day, conversation: i % 2 ? 'odd' : 'even' })));
    expectOk(await kr.updateSettings({ retentionDays: 30 }, USER)); // applies retention now
    expect(expectOk(await kr.cacheStats()).messages).toBe(15);
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-4') }))).toBeNull();
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-5') }))).not.toBeNull();
    env.clock.advance(30 * day);
    expect(expectOk(await kr.applyRetention())).toBe(15);
    expect(expectOk(await kr.cacheStats()).messages).toBe(0);

    for (let i = 0; i < 10; i++) expectOk(await kr.cachePut(msg(i, { conversation: i % 2 ? 'odd' : 'even' })));
    expectOk(await kr.cachePut(msg(99, { conversation: 'odd', site: 'other.example' })));
    expect(expectOk(await kr.forgetConversation('chat.example', 'odd'))).toBe(5);
    const again = await openKeyring(env);
    for (let i = 0; i < 10; i++) expect(expectOk(await again.cacheGet({ digest: digestOf(`ciphertext-${i}`) })) === null).toBe(i % 2 === 1);
    expect(expectOk(await again.cacheGet({ digest: digestOf('ciphertext-99') }))).not.toBeNull();
  });

  it('an insert rewrites only one shard and the index', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    for (let i = 0; i < 300; i++) expectOk(await kr.cachePut(msg(i, { plaintext: `m${i}` })));
    const writes: string[][] = [];
    const origSet = env.local.set.bind(env.local);
    env.local.set = (items) => {
      writes.push(Object.keys(items));
      return origSet(items);
    };
    expectOk(await kr.cachePut(msg(1000, { plaintext: 'new' })));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.sort()).toEqual(expect.arrayContaining(['veil.rec.cache-index']));
    expect(writes[0]).toHaveLength(2);
  });

  it('a failed write changes nothing in memory', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    expectOk(await kr.cachePut(msg(1)));
    env.local.set = () => Promise.reject(new Error('quota exceeded'));
    expect(errorCode(await kr.cachePut(msg(2)))).toBe('storage-failed');
    expect(errorCode(await kr.forgetConversation('chat.example', 'room'))).toBe('storage-failed');
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-2') }))).toBeNull();
    expect(expectOk(await kr.cacheGet({ digest: digestOf('ciphertext-1') }))).not.toBeNull();
    expect(expectOk(await kr.cacheStats()).messages).toBe(1);
  });
});
