import { describe, expect, it } from 'vitest';
import { ConversationStore } from '../../../lib/chat/store.ts';
import { RecordIO } from '../../../lib/keyring/records.ts';
import { CURRENT_SCHEMA, RECORD_NAMES, STORAGE_KEYS } from '../../../lib/keyring/schema.ts';
import { createKeySlot, defaultRandom, keyCheckValue, sealRecord } from '../../../lib/keyring/vault.ts';
import { digestOf, expectOk, FAST_KDF, memoryEnv, openKeyring, T0, USER } from './helpers.ts';

const SITE = 'https://chat.example';
const META_PEER = ' ';
/** Two conversations: one with a session and a meta record, one with only a meta record. */
const metaRoom = { querySentAt: T0 - 5000, answeredQueries: ['q1', 'q2'], lastPeer: 'bob' };
const metaLobby = { querySentAt: 0, answeredQueries: ['q9'], lastPeer: null };
const bobSession = { state: { opaque: 'ratchet' }, established: null, notice: 'hello', lastRekeyAt: 7 };

const legacyText = { digest: digestOf('part-0'), site: SITE, conversation: 'room', direction: 'received', sender: 'bob', badge: 'verified', time: T0, plaintext: 'a long message', lastUsed: T0 };
const legacyPart = { ...legacyText, digest: digestOf('part-1'), badge: 'part:1/2', plaintext: '' };

/** Writes storage exactly as schema v2 laid it out: meta as a session with peer ' ', untagged cache entries. */
async function writeV2(env: ReturnType<typeof memoryEnv>, metaRecord: unknown = { state: metaRoom }): Promise<void> {
  const dataKey = defaultRandom(32);
  const slot = await createKeySlot(dataKey, 'pw', FAST_KDF, defaultRandom);
  const io = new RecordIO(env.local, dataKey.slice(), defaultRandom);
  const seal = (name: string, value: unknown) => sealRecord(dataKey, name, 2, value, defaultRandom);
  const session = (peer: string, conversation: string) => {
    const name = RECORD_NAMES.session(SITE, conversation, peer);
    return { key: io.hiddenKey(STORAGE_KEYS.sessionPrefix, name), name };
  };
  const items: Record<string, unknown> = {
    [STORAGE_KEYS.root]: { format: 'veil-keyring', schema: 2, slot, check: seal(RECORD_NAMES.keyCheck, keyCheckValue()) },
    [STORAGE_KEYS.settings]: seal('settings', { autoLockMinutes: 0, retentionDays: 0, cacheMaxBytes: 1_000_000, strictCalls: true }),
    [STORAGE_KEYS.identity]: seal('identity', { identity: { v2: 'identity' } }),
    [STORAGE_KEYS.sessionsIndex]: seal('sessions-index', {
      sessions: [
        [SITE, 'room', 'bob'],
        [SITE, 'room', META_PEER],
        [SITE, 'lobby', META_PEER],
      ],
    }),
  };
  for (const [peer, conversation, value] of [
    ['bob', 'room', { state: bobSession }],
    [META_PEER, 'room', metaRecord],
    [META_PEER, 'lobby', { state: metaLobby }],
  ] as const) {
    const s = session(peer, conversation);
    items[s.key] = seal(s.name, value);
  }
  const prefix = legacyText.digest.slice(0, 2);
  const partPrefix = legacyPart.digest.slice(0, 2);
  const shards: Record<string, unknown[]> = {};
  for (const [p, e] of [[prefix, legacyText], [partPrefix, legacyPart]] as const) (shards[p] ??= []).push(e);
  const summaries: Record<string, number[]> = {};
  for (const [p, entries] of Object.entries(shards)) {
    const name = RECORD_NAMES.cacheShard(p);
    items[io.hiddenKey(STORAGE_KEYS.cacheShardPrefix, name)] = seal(name, { entries });
    summaries[p] = [200 * entries.length, entries.length, T0, T0];
  }
  items[STORAGE_KEYS.cacheIndex] = seal('cache-index', { shards: summaries });
  await env.local.set(items);
}

const schemaOf = async (env: ReturnType<typeof memoryEnv>) => ((await env.local.get([STORAGE_KEYS.root]))[STORAGE_KEYS.root] as { schema: number }).schema;

describe('migration v2 -> v3: conversation meta gets its own records', () => {
  it('moves every meta record unchanged, leaves real sessions as they were, and drops the placeholder peer', async () => {
    expect(CURRENT_SCHEMA).toBe(3);
    const env = memoryEnv();
    await writeV2(env);
    const placeholderKeys = [...env.local.data.keys()].filter((k) => k.startsWith(STORAGE_KEYS.sessionPrefix));
    expect(placeholderKeys).toHaveLength(3);
    const kr = await openKeyring(env);
    expect(await schemaOf(env)).toBe(2);
    expectOk(await kr.unlock('pw'));
    expect(await schemaOf(env)).toBe(3);

    expect(expectOk(await kr.getConversation({ site: SITE, conversation: 'room' }))).toEqual(metaRoom);
    expect(expectOk(await kr.getConversation({ site: SITE, conversation: 'lobby' }))).toEqual(metaLobby);
    expect(expectOk(await kr.listConversations())).toEqual([
      { site: SITE, conversation: 'room' },
      { site: SITE, conversation: 'lobby' },
    ]);
    expect(expectOk(await kr.listSessions())).toEqual([{ site: SITE, conversation: 'room', peer: 'bob' }]);
    expect(expectOk(await kr.getSession({ site: SITE, conversation: 'room', peer: 'bob' }))).toEqual(bobSession);
    // The placeholder records are gone from storage, not only from the index.
    expect([...env.local.data.keys()].filter((k) => k.startsWith(STORAGE_KEYS.sessionPrefix))).toHaveLength(1);
    expect(expectOk(await kr.getSession({ site: SITE, conversation: 'room', peer: META_PEER }))).toBeNull();

    // What the text engine reads through its store is what it had written before the upgrade.
    const store = new ConversationStore(kr);
    expect(expectOk(await store.loadMeta({ site: SITE, conversationId: 'room' }))).toEqual(metaRoom);
    expect(expectOk(await store.loadMeta({ site: SITE, conversationId: 'lobby' }))).toEqual(metaLobby);

    // A second instance finds v3 and changes nothing.
    expectOk(await kr.lock());
    const before = env.local.snapshot();
    const again = await openKeyring(env);
    expectOk(await again.unlock('pw'));
    expect(env.local.snapshot()).toBe(before);
    expect(expectOk(await again.getConversation({ site: SITE, conversation: 'room' }))).toEqual(metaRoom);
  });

  it('a corrupt meta record aborts the migration: typed error, still locked, storage byte-identical', async () => {
    const env = memoryEnv();
    await writeV2(env, { notState: 1 });
    const before = env.local.snapshot();
    const kr = await openKeyring(env);
    const r = await kr.unlock('pw');
    expect(r).toMatchObject({ ok: false, error: { code: 'corrupt' } });
    expect(kr.state).toBe('locked');
    expect(env.local.snapshot()).toBe(before);
  });
});

describe('cache entries are tagged', () => {
  it('reads v2 entries as they are: a "part:k/n" badge without text is a part marker, everything else text', async () => {
    const env = memoryEnv();
    await writeV2(env);
    const kr = await openKeyring(env);
    expectOk(await kr.unlock('pw'));
    expect(expectOk(await kr.cacheGet({ digest: legacyText.digest }))).toMatchObject({ kind: 'text', badge: 'verified', plaintext: 'a long message', sender: 'bob' });
    const part = expectOk(await kr.cacheGet({ digest: legacyPart.digest }));
    expect(part).toMatchObject({ kind: 'part', index: 1, count: 2, sender: 'bob', conversation: 'room' });
    expect(part).not.toHaveProperty('badge');
    expect(part).not.toHaveProperty('plaintext');
  });

  it('a v2 shard is written back tagged the next time it changes, and reads the same afterwards', async () => {
    const env = memoryEnv();
    await writeV2(env);
    const kr = await openKeyring(env);
    expectOk(await kr.unlock('pw'));
    const shardVersions = () =>
      [...env.local.data.entries()].filter(([k]) => k.startsWith(STORAGE_KEYS.cacheShardPrefix)).map(([, v]) => (JSON.parse(v) as { v: number }).v);
    const before = shardVersions();
    expect(before.every((v) => v === 2)).toBe(true);
    // Another message filed in the legacy part marker's shard.
    let n = 0;
    while (digestOf(`other-${n}`).slice(0, 2) !== legacyPart.digest.slice(0, 2)) n++;
    expectOk(await kr.cachePut({ digest: digestOf(`other-${n}`), kind: 'text', site: SITE, conversation: 'room', direction: 'sent', sender: 'me', badge: 'unverified', plaintext: 'new' }));
    const after = shardVersions();
    expect(after.filter((v) => v === 3)).toHaveLength(1);
    expect(after.filter((v) => v === 2)).toHaveLength(before.length - 1);
    const again = await openKeyring(env);
    expectOk(await again.unlock('pw'));
    expect(expectOk(await again.cacheGet({ digest: legacyPart.digest }))).toMatchObject({ kind: 'part', index: 1, count: 2 });
    expect(expectOk(await again.cacheGet({ digest: digestOf(`other-${n}`) }))).toMatchObject({ kind: 'text', plaintext: 'new' });
  });

  it('stores part markers and refuses malformed ones', async () => {
    const env = memoryEnv();
    const kr = await openKeyring(env);
    expectOk(await kr.initialize(null));
    const base = { site: SITE, conversation: 'room', direction: 'sent' as const, sender: 'me' };
    expectOk(await kr.cachePut({ ...base, digest: digestOf('p1'), kind: 'part', index: 1, count: 3 }));
    expect(expectOk(await kr.cacheGet({ digest: digestOf('p1') }))).toMatchObject({ kind: 'part', index: 1, count: 3 });
    for (const bad of [
      { index: 0, count: 3 },
      { index: 3, count: 3 },
      { index: 1, count: 1 },
      { index: 1.5, count: 3 },
    ]) {
      const r = await kr.cachePut({ ...base, digest: digestOf('p2'), kind: 'part', ...bad });
      expect(r, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
    expect(expectOk(await kr.cacheGet({ digest: digestOf('p2') }))).toBeNull();
    expectOk(await kr.clearCache(USER));
  });
});

describe('conversation records', () => {
  it('are kept per (site, conversation), survive a restart, and are refused while locked', async () => {
    const env = memoryEnv();
    const kr = await openKeyring(env);
    expectOk(await kr.initialize('pw'));
    const ref = { site: SITE, conversation: 'room' };
    expect(expectOk(await kr.getConversation(ref))).toBeNull();
    expectOk(await kr.putConversation(ref, { n: 1 }));
    expectOk(await kr.putConversation(ref, { n: 2 }));
    expect(expectOk(await kr.listConversations())).toEqual([ref]);
    const again = await openKeyring(env);
    expect(expectOk(await again.getConversation(ref))).toEqual({ n: 2 });
    expect(await again.getConversation({ site: SITE, conversation: '' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expectOk(await again.deleteConversation(ref));
    expect(expectOk(await again.getConversation(ref))).toBeNull();
    expectOk(await again.lock());
    expect(await again.putConversation(ref, { n: 3 })).toMatchObject({ ok: false, error: { code: 'locked' } });
  });
});
