/**
 * Keyring benchmark: passphrase derivation with the chosen scrypt parameters, and how long a
 * fresh Keyring (a restarted background) takes to become ready with 100 contacts and 10,000
 * cached messages in an in-memory store, plus one cached-message lookup after restore.
 * Prints nothing; returns rows for bench/run.ts.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '../../lib/bytes.ts';
import { TextEngine } from '../../lib/chat/engine.ts';
import { ConversationStore } from '../../lib/chat/store.ts';
import { TokenStore } from '../../lib/chat/tokens.ts';
import { Keyring, MemoryStore } from '../../lib/keyring/index.ts';
import { Chat, establish, Person } from '../unit/chat/chat-sim.ts';
import type { Measure } from './targets.ts';
import { DEFAULT_SCRYPT, deriveKek } from '../../lib/keyring/vault.ts';

type Row = Record<string, string | number>;

/** The cache is keyed by a digest the caller computes from the ciphertext. */
const digestOf = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));
const ms = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;
const scryptLabel = `scrypt N=2^${Math.log2(DEFAULT_SCRYPT.N)} r=${DEFAULT_SCRYPT.r} p=${DEFAULT_SCRYPT.p}`;

function must<T>(r: { ok: true; value: T } | { ok: false; error: unknown }, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${JSON.stringify(r.error)}`);
  return r.value;
}

/**
 * Keyring round trips the text engine makes for one incoming message on an established session:
 * Bob's engine runs over a keyring whose every call is counted (and its storage operations too),
 * and reads Alice's new messages one at a time, as a chat shows them arriving.
 */
async function roundTripsPerMessage(): Promise<{ calls: number; storageOps: number; names: string }> {
  const chat = new Chat();
  const alice = new Person('alice', chat, 1);
  const bob = new Person('bob', chat, 2);
  await alice.setup();
  await bob.setup();
  await establish(alice, bob);
  let calls = 0;
  const byName = new Map<string, number>();
  const counted = new Proxy(bob.keyring, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) {
          calls++;
          byName.set(String(prop), (byName.get(String(prop)) ?? 0) + 1);
        }
        return out;
      };
    },
  });
  let storageOps = 0;
  for (const store of [bob.local, bob.session]) {
    for (const op of ['get', 'set', 'remove'] as const) {
      const orig = store[op].bind(store) as (x: never) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[op] = (x: never) => {
        storageOps++;
        return orig(x);
      };
    }
  }
  const engine = new TextEngine({ keyring: counted, conversations: new ConversationStore(counted), tokens: new TokenStore(bob.session), now: () => bob.clock.now, inviteUrl: 'https://veil.example/get' });
  const N = 20;
  calls = 0;
  storageOps = 0;
  byName.clear();
  for (let i = 0; i < N; i++) {
    const sent = await alice.engine.composeSend(alice.page(), `incoming message ${i}`);
    if (!sent.ok) throw new Error(sent.error.message);
    alice.post(sent.value);
    const m = chat.messages[chat.messages.length - 1]!;
    const r = await engine.found(bob.page(), [{ key: String(m.id), author: m.author, text: m.text }]);
    if (!r.ok || r.value.results[0]?.display.kind !== 'message') throw new Error(`Bob did not read message ${i}: ${JSON.stringify(r)}`);
  }
  const names = [...byName].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / N).toFixed(1)}`).join(', ');
  return { calls: calls / N, storageOps: storageOps / N, names };
}

export async function runKeyringBench(measure: Measure = () => undefined): Promise<Array<Record<string, string | number>>> {
  const rows: Row[] = [];
  const CONTACTS = 100;
  const MESSAGES = 10_000;
  const PASSPHRASE = 'bench passphrase';

  const kdfRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await deriveKek(PASSPHRASE, new Uint8Array(16).fill(i), DEFAULT_SCRYPT);
    kdfRuns.push(ms(t0));
  }
  kdfRuns.sort((a, b) => a - b);
  rows.push({ name: 'keyring kdf-derive (median of 3)', ms: kdfRuns[1] ?? 0, detail: `${scryptLabel}, ${(128 * DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r) / 2 ** 20} MiB` });

  const local = new MemoryStore();
  const session = new MemoryStore();
  let clock = Date.now();
  const now = (): number => clock;
  const first = must(await Keyring.open({ local, session, now }), 'open');
  must(await first.initialize(PASSPHRASE), 'initialize');
  must(await first.updateSettings({ cacheMaxBytes: 64 * 1024 * 1024, autoLockMinutes: 0 }, { origin: 'user' }), 'settings');
  must(await first.setIdentity({ identity: 'x'.repeat(200) }), 'identity');

  let t0 = performance.now();
  for (let i = 0; i < CONTACTS; i++) {
    const key = new Uint8Array(32).fill(i);
    must(await first.observePeerKey(`site${i % 5}.example`, `user${i}`, key), 'observe');
  }
  const bytesBefore = [...local.data.values()].reduce((n, v) => n + v.length, 0);
  let plaintextBytes = 0;
  const tPut = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    clock += 1;
    must(
      await first.cachePut({
        digest: digestOf(`wire-ciphertext-${i}`),
        kind: 'text',
        site: `site${i % 5}.example`,
        conversation: `conversation-${i % 50}`,
        direction: i % 2 ? 'sent' : 'received',
        sender: `user${i % CONTACTS}`,
        badge: 'verified',
        plaintext: `Message ${i}: `.padEnd(160, 'lorem ipsum '),
      }),
      'cachePut',
    );
    plaintextBytes += 160;
  }
  const putMs = ms(tPut);
  const populateMs = ms(t0);
  const stats = must(await first.cacheStats(), 'stats');
  rows.push({ name: 'keyring populate (100 contacts + 10,000 cachePut)', ms: populateMs, detail: `${(populateMs / MESSAGES).toFixed(3)} ms/insert, ${stats.messages} messages, ${stats.bytes} bytes` });
  const storedBytes = [...local.data.values()].reduce((n, v) => n + v.length, 0);
  rows.push({ name: 'keyring local storage size', ms: 0, detail: `${local.data.size} keys, ${storedBytes} bytes serialized` });
  const overhead = (storedBytes - bytesBefore - plaintextBytes) / MESSAGES;
  measure('cache-insert', putMs / MESSAGES, `${MESSAGES.toLocaleString('en')} cachePut into an in-memory store (${(putMs / 1000).toFixed(1)} s)`);
  measure('cache-overhead', overhead, `stored bytes added per message (${((storedBytes - bytesBefore) / MESSAGES).toFixed(0)} B) less its 160-byte plaintext, in-memory store serialized as JSON`);
  const trips = await roundTripsPerMessage();
  rows.push({ name: 'keyring round trips per incoming message', ms: 0, detail: `${trips.calls.toFixed(1)} keyring calls (${trips.names}), ${trips.storageOps.toFixed(1)} storage operations` });
  measure('keyring-trips', trips.calls, `keyring calls by the text engine for one new message on an established session (${trips.names}); ${trips.storageOps.toFixed(1)} storage operations`);

  // Restarted background, session store intact: no KDF, ready when open() resolves.
  t0 = performance.now();
  const resumed = must(await Keyring.open({ local, session, now }), 'resume');
  const resumeMs = ms(t0);
  if (resumed.state !== 'unlocked') throw new Error('resume did not stay unlocked');
  rows.push({ name: 'keyring restore from session store (open -> ready)', ms: resumeMs, detail: '100 contacts, 10,000 messages; decrypts root check, settings, cache index only' });

  t0 = performance.now();
  const hit = must(await resumed.cacheGet({ digest: digestOf('wire-ciphertext-4242') }), 'lookup');
  const coldMs = ms(t0);
  if (!hit) throw new Error('lookup missed');
  rows.push({ name: 'keyring first lookup after restore (cold shard)', ms: coldMs, detail: 'decrypts one shard (~40 messages)' });
  t0 = performance.now();
  must(await resumed.cacheGet({ digest: digestOf('wire-ciphertext-4243') }), 'lookup');
  rows.push({ name: 'keyring lookup (typical)', ms: ms(t0), detail: 'another message, possibly another shard' });
  t0 = performance.now();
  must(await resumed.getContact('site2.example', 'user42'), 'contact');
  rows.push({ name: 'keyring first contact lookup after restore', ms: ms(t0), detail: 'decrypts one site record (20 contacts)' });

  // Browser restart: session store empty, user types the passphrase.
  t0 = performance.now();
  const cold = must(await Keyring.open({ local, session: new MemoryStore(), now }), 'cold open');
  must(await cold.unlock(PASSPHRASE), 'unlock');
  must(await cold.cacheGet({ digest: digestOf('wire-ciphertext-17') }), 'lookup');
  rows.push({ name: 'keyring unlock with passphrase + first lookup', ms: ms(t0), detail: `includes ${scryptLabel}` });
  return rows;
}
