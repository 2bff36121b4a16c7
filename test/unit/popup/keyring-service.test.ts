import { ConversationStore } from '../../../lib/chat/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AUTO_LOCK_ALARM, createKeyringService, type KeyringMessage, type KeyringService } from '../../../entrypoints/background/keyring-service.ts';
import { Keyring, type KeyValueStore } from '../../../lib/keyring/index.ts';
import { guardAll, type RawSender } from '../../../lib/messaging/index.ts';
import {
  formatSafetyNumber,
  parseIdentity,
  receive,
  startKeyAgreement,
  type ConversationEvent,
} from '../../../lib/protocol/index.ts';
import { Clock, FAST_KDF } from '../keyring/helpers.ts';
import { makeParty, type Party } from '../protocol/helpers.ts';

const ctx = { extensionId: 'veil-id', extensionOrigin: 'chrome-extension://veil-id' };
const popup: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/popup.html' };
const optionsTab: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/options.html', tab: { id: 3 } };
const frameInPage: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/frame.html#c=x', tab: { id: 9 }, frameId: 4 };
const otherPage: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/other.html' };
const content: RawSender = { id: 'veil-id', url: 'https://chat.example/room', tab: { id: 9 }, frameId: 0 };
const PASS = 'correct horse battery';

interface Env {
  service: KeyringService;
  clock: Clock;
  keyring: () => Promise<Keyring>;
  locked: number;
}

async function setup(): Promise<Env> {
  const clock = new Clock();
  let kr: Keyring | null = null;
  const keyring = async () => {
    if (!kr) {
      const r = await Keyring.open({
        local: fakeBrowser.storage.local as unknown as KeyValueStore,
        session: fakeBrowser.storage.session as unknown as KeyValueStore,
        now: clock.now,
        kdfParams: FAST_KDF,
        // Lock changes reach the service through the keyring's one hook, as in createBackground.
        onStateChange: (state) => {
          if (state === 'locked') env.locked++;
          env.service.onLockChange(state);
        },
      });
      if (!r.ok) throw new Error(r.error.code);
      kr = r.value;
    }
    return kr;
  };
  const env: Env = { clock, keyring, locked: 0, service: undefined as unknown as KeyringService };
  const conversations = async () => new ConversationStore(await keyring());
  env.service = createKeyringService({ keyring, conversations, alarms: fakeBrowser.alarms, now: clock.now });
  return env;
}

/** A message as the background receives it: through the guard the message table derives. */
function send<T extends KeyringMessage>(env: Env, type: T, data: unknown, sender: RawSender = popup) {
  return guardAll(ctx, env.service.handlers)[type]({ data, sender });
}

async function value<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message?: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message ?? ""}`);
  return r.value;
}

describe('keyring service', () => {
  let env: Env;
  beforeEach(async () => {
    fakeBrowser.reset();
    env = await setup();
  });

  it('creates an identity once and reports a grouped fingerprint', async () => {
    expect(await value(send(env, 'keyring:state', undefined))).toMatchObject({ state: 'uninitialized', fingerprint: null });
    const v = await value(send(env, 'keyring:create', { passphrase: PASS }));
    expect(v.state).toBe('unlocked');
    expect(v.hasPassphrase).toBe(true);
    expect(v.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){9}$/);
    expect(v.autoLockMinutes).toBe(30);
    const again = await send(env, 'keyring:create', { passphrase: null });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    expect(await value(send(env, 'keyring:state', undefined))).toEqual(v);
  });

  it('keeps the auto-lock alarm at the keyring’s next check and clears it when locked', async () => {
    await value(send(env, 'keyring:create', { passphrase: PASS }));
    const alarm = await fakeBrowser.alarms.get(AUTO_LOCK_ALARM);
    expect(alarm?.scheduledTime).toBe((await env.keyring()).nextAutoLockCheck());
    await value(send(env, 'keyring:lock', undefined));
    expect(await fakeBrowser.alarms.get(AUTO_LOCK_ALARM)).toBeUndefined();
  });

  it('locks on the alarm once idle long enough, and not before', async () => {
    await value(send(env, 'keyring:create', { passphrase: PASS }));
    await value(send(env, 'keyring:set-settings', { autoLockMinutes: 2 }));
    env.clock.advance(60_000);
    await env.service.onAlarm(AUTO_LOCK_ALARM);
    expect((await env.keyring()).state).toBe('unlocked');
    env.clock.advance(90_000);
    await env.service.onAlarm('something-else');
    expect((await env.keyring()).state).toBe('unlocked');
    await env.service.onAlarm(AUTO_LOCK_ALARM);
    expect((await env.keyring()).state).toBe('locked');
    expect(env.locked).toBe(1);
  });

  it('refuses a wrong passphrase with a clear message and stays locked', async () => {
    await value(send(env, 'keyring:create', { passphrase: PASS }));
    await value(send(env, 'keyring:lock', undefined));
    const r = await send(env, 'keyring:unlock', { passphrase: 'not it' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^Wrong passphrase/);
    expect((await value(send(env, 'keyring:state', undefined))).state).toBe('locked');
    expect((await value(send(env, 'keyring:unlock', { passphrase: PASS }))).state).toBe('unlocked');
  });

  it('answers locked data requests with a locked error, not data', async () => {
    await value(send(env, 'keyring:create', { passphrase: PASS }));
    await value(send(env, 'keyring:lock', undefined));
    for (const [type, data] of [
      ['contacts:list', undefined],
      ['keyring:get-settings', undefined],
      ['backup:export', { passphrase: 'x' }],
      ['contacts:verification', { site: 's', handle: 'h' }],
      ['cache:clear', undefined],
    ] as const) {
      const r = await send(env, type, data);
      expect(r, type).toMatchObject({ ok: false, error: { code: 'locked' } });
      if (!r.ok) expect(r.error.message).toContain('locked');
    }
  });

  it('rejects user actions from a frame in a page, a content script and unknown pages', async () => {
    await value(send(env, 'keyring:create', { passphrase: PASS }, optionsTab));
    await value(send(env, 'keyring:lock', undefined));
    for (const sender of [frameInPage, content, otherPage]) {
      for (const [type, data] of [
        ['keyring:unlock', { passphrase: PASS }],
        ['keyring:change-passphrase', { current: PASS, next: null }],
        ['keyring:set-settings', { autoLockMinutes: 0 }],
        ['backup:export', { passphrase: 'x' }],
        ['cache:clear', undefined],
        ['contacts:mark-verified', { site: 's', handle: 'h', fingerprint: 'f' }],
      ] as const) {
        const r = await send(env, type, data, sender);
        expect(r, `${type} from ${sender.url}`).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
      }
    }
    expect((await env.keyring()).state).toBe('locked');
  });

  it('changes the passphrase only with the current one', async () => {
    await value(send(env, 'keyring:create', { passphrase: null }));
    const set = await value(send(env, 'keyring:change-passphrase', { current: null, next: PASS }));
    expect(set.hasPassphrase).toBe(true);
    const wrong = await send(env, 'keyring:change-passphrase', { current: 'nope', next: null });
    expect(wrong).toMatchObject({ ok: false, error: { message: expect.stringMatching(/current passphrase is wrong/) } });
    expect((await env.keyring()).hasPassphrase).toBe(true);
  });

  it('maps unreadable storage to a message that says nothing was deleted', async () => {
    const broken = createKeyringService({
      keyring: () => Promise.reject(new Error("Veil's storage could not be read (corrupt). Nothing was deleted.")),
      conversations: () => Promise.reject(new Error("Veil's storage could not be read (corrupt). Nothing was deleted.")),
      alarms: fakeBrowser.alarms,
    });
    const r = await guardAll(ctx, broken.handlers)['keyring:state']({ data: undefined, sender: popup });
    expect(r).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('Nothing was deleted') } });
  });
});

describe('contact verification', () => {
  let env: Env;
  let alice: Party;
  let bob: Party;
  let established: Extract<ConversationEvent, { type: 'session-established' }>;

  beforeEach(async () => {
    fakeBrowser.reset();
    env = await setup();
    await value(send(env, 'keyring:create', { passphrase: null }));
    const kr = await env.keyring();
    const stored = await kr.getIdentity();
    if (!stored.ok) throw new Error('identity');
    const id = parseIdentity(stored.value);
    if (!id.ok) throw new Error('identity parse');
    alice = { ...makeParty('alice', 'bob', 'verify-a'), identity: id.value };
    bob = makeParty('bob', 'alice', 'verify-b');
    // Interactive handshake, Alice first.
    const s = startKeyAgreement(alice.state, alice.identity, alice.rng);
    if (!s.ok) throw new Error('start');
    alice.state = s.value.state;
    let toB = s.value.outgoing;
    let toA: Uint8Array[] = [];
    const events: ConversationEvent[] = [];
    for (let round = 0; round < 3; round++) {
      toA = [];
      for (const w of toB) {
        const r = receive(bob.state, { identity: bob.identity, wire: w, now: 1000, rng: bob.rng });
        if (!r.ok) throw new Error(r.error.code);
        bob.state = r.value.state;
        toA.push(...r.value.outgoing);
      }
      toB = [];
      for (const w of toA) {
        const r = receive(alice.state, { identity: alice.identity, wire: w, now: 1000, rng: alice.rng });
        if (!r.ok) throw new Error(r.error.code);
        alice.state = r.value.state;
        toB.push(...r.value.outgoing);
        events.push(...r.value.events);
      }
    }
    const e = events.find((x) => x.type === 'session-established');
    if (!e || e.type !== 'session-established') throw new Error('no session');
    established = e;
  });

  async function storeContactAndSession() {
    const kr = await env.keyring();
    await value(kr.observePeerKey('chat.example', 'bob', bob.identity.publicKey));
    // Stored the way the text engine stores sessions (lib/chat/store).
    await value(new ConversationStore(kr).savePeer({ site: 'chat.example', conversationId: 'room-1', peer: 'bob' }, { state: alice.state, established: null, notice: null, lastRekeyAt: 0 }));
  }

  it('shows the session’s safety number and SAS for the contact’s key', async () => {
    await storeContactAndSession();
    const v = await value(send(env, 'contacts:verification', { site: 'chat.example', handle: 'bob' }));
    // The protocol's own number from the handshake (a string, or lazily a function of nothing).
    const raw: unknown = established.safetyNumber;
    const expected = typeof raw === 'function' ? (raw as () => string)() : (raw as string);
    expect(v.safetyNumber).toBe(formatSafetyNumber(expected));
    expect(v.safetyNumber.split(' ')).toHaveLength(12);
    expect(v.qrPayload).toBe(expected);
    expect(v.qrPayload).toMatch(/^\d{60}$/);
    expect(v.sas).toBe(established.sas?.text);
    expect(v.verified).toBe(false);
    const list = await value(send(env, 'contacts:list', undefined));
    expect(list).toEqual([expect.objectContaining({ site: 'chat.example', handle: 'bob', fingerprint: v.peerFingerprint, verified: false })]);
  });

  it('gives no number without a conversation (own handle unknown)', async () => {
    await value((await env.keyring()).observePeerKey('chat.example', 'bob', bob.identity.publicKey));
    const r = await send(env, 'contacts:verification', { site: 'chat.example', handle: 'bob' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('marks verified only for the fingerprint the user compared, and only from a Veil page', async () => {
    await storeContactAndSession();
    const v = await value(send(env, 'contacts:verification', { site: 'chat.example', handle: 'bob' }));
    const args = { site: 'chat.example', handle: 'bob', fingerprint: v.peerFingerprint };
    expect(await send(env, 'contacts:mark-verified', args, frameInPage)).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    const stale = await send(env, 'contacts:mark-verified', { ...args, fingerprint: '0'.repeat(64) });
    expect(stale).toMatchObject({ ok: false, error: { message: expect.stringContaining('changed while you were comparing') } });
    expect((await value(send(env, 'contacts:mark-verified', args))).verified).toBe(true);
    expect((await value(send(env, 'contacts:verification', { site: 'chat.example', handle: 'bob' }))).verified).toBe(true);
  });

  it('flags a changed key and accepts it on request; SAS only for a session with the current key', async () => {
    await storeContactAndSession();
    const mallory = makeParty('bob', 'alice', 'mallory');
    await value((await env.keyring()).observePeerKey('chat.example', 'bob', mallory.identity.publicKey));
    const list = await value(send(env, 'contacts:list', undefined));
    expect(list[0]).toMatchObject({ keyChanged: true, verified: false, previousKeys: 1 });
    // The stored session is with the old key: no number for the new key is offered.
    expect(await send(env, 'contacts:verification', { site: 'chat.example', handle: 'bob' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const accepted = await value(send(env, 'contacts:accept-key', { site: 'chat.example', handle: 'bob', fingerprint: list[0]!.fingerprint }));
    expect(accepted).toMatchObject({ keyChanged: false, verified: false });
  });
});

describe('backup through the service', () => {
  it('previews, keeps a differing identity unless asked, and expires unknown previews', async () => {
    fakeBrowser.reset();
    const alice = await setup();
    await value(send(alice, 'keyring:create', { passphrase: null }));
    await value(send(alice, 'keyring:set-settings', { retentionDays: 7 }));
    const aliceFp = (await value(send(alice, 'keyring:state', undefined))).fingerprint;
    const exported = await value(send(alice, 'backup:export', { passphrase: 'backup pass' }));
    expect(exported.fileName).toMatch(/^veil-backup-\d{4}-\d{2}-\d{2}\.json$/);

    fakeBrowser.reset();
    const bob = await setup();
    await value(send(bob, 'keyring:create', { passphrase: null }));
    const bobFp = (await value(send(bob, 'keyring:state', undefined))).fingerprint;
    expect(bobFp).not.toBe(aliceFp);

    const wrong = await send(bob, 'backup:preview', { file: exported.file, passphrase: 'nope' });
    expect(wrong).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^Wrong backup passphrase/) } });

    const p1 = await value(send(bob, 'backup:preview', { file: exported.file, passphrase: 'backup pass' }));
    expect(p1).toMatchObject({ identity: 'differs', newContacts: 0, settingsChange: true });
    const kept = await value(send(bob, 'backup:apply', { previewId: p1.previewId, replaceIdentity: false }));
    expect(kept.summary).toContain('kept');
    expect((await value(send(bob, 'keyring:state', undefined))).fingerprint).toBe(bobFp);
    expect((await value(send(bob, 'keyring:get-settings', undefined))).retentionDays).toBe(7);
    // Used previews are gone.
    const reused = await send(bob, 'backup:apply', { previewId: p1.previewId, replaceIdentity: true });
    expect(reused).toMatchObject({ ok: false, error: { code: 'not-found', message: 'Preview expired, please select the file again.' } });

    const p2 = await value(send(bob, 'backup:preview', { file: exported.file, passphrase: 'backup pass' }));
    expect(await send(bob, 'backup:apply', { previewId: p2.previewId, replaceIdentity: true }, frameInPage)).toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    const replaced = await value(send(bob, 'backup:apply', { previewId: p2.previewId, replaceIdentity: true }));
    expect(replaced.summary).toContain('Identity restored');
    expect((await value(send(bob, 'keyring:state', undefined))).fingerprint).toBe(aliceFp);
  });
});
