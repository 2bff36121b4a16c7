import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createCallService, type CallMessage, type CallService } from '../../../entrypoints/background/call-service';
import { createPageRegistry, type PageRegistry } from '../../../entrypoints/background/page-registry';
import { deriveCallMaterial } from '../../../lib/calls/call-keys';
import { ConversationStore } from '../../../lib/chat/store';
import { guardAll, type RawSender } from '../../../lib/messaging';
import { Person, establish, twoPeople } from '../chat/chat-sim';
import { content, ctx, fakeSites, frame, popup, session } from './harness';

const fp = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const KEYS_BODY = { callRef: 'call0001', local: [fp('AB')], remote: [fp('CD')], localIce: 'a'.repeat(64), remoteIce: 'b'.repeat(64) };
const REPORT = {
  status: 'encrypted',
  reason: null,
  pipeline: 'worker',
  keys: 'installed',
  strict: true,
  send: { framesIn: 10, protected: 10, passthrough: 0, dropped: 0, drops: {} },
  receive: { framesIn: 9, protected: 8, passthrough: 0, dropped: 1, drops: { 'auth-failed': 1 } },
  sendEpoch: 0,
  receiveEpoch: 0,
  peerEncrypting: true,
  transforms: 2,
};

describe('call service on the fake browser', () => {
  let alice: Person;
  let bob: Person;
  let pages: PageRegistry;
  let service: CallService;
  let send: ReturnType<typeof guardAll<CallMessage>>;
  let now = 1_000;

  beforeEach(async () => {
    fakeBrowser.reset();
    ({ alice, bob } = await twoPeople(5));
    await establish(alice, bob);
    pages = createPageRegistry(session);
    // The page names no peer: the conversation's last peer (from its meta record) is used.
    await pages.set({ ...alice.page(), tabId: 5, peerHandle: null });
    service = createCallService({
      keyring: async () => alice.keyring,
      conversations: async () => new ConversationStore(alice.keyring),
      pages,
      session,
      sites: fakeSites(),
      now: () => now,
    });
    send = guardAll(ctx, service.handlers);
  });

  const call = <T extends CallMessage>(type: T, data: unknown, sender: RawSender) => send[type]({ data, sender });

  it('gives a call the media keys of the tab’s confirmed session, the same the peer derives', async () => {
    const r = await call('content:call-keys', KEYS_BODY, content(5));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const bobs = await new ConversationStore(bob.keyring).confirmedSession(bob.page(), 'alice');
    if (!bobs.ok || !bobs.value) throw new Error('Bob has no session');
    const theirs = deriveCallMaterial(bobs.value.state, r.value.callId);
    if (!theirs.ok) throw new Error(theirs.error.message);
    expect(r.value.sendChain).toBe(theirs.value.recvChain);
    expect(r.value.recvChain).toBe(theirs.value.sendChain);
    expect(await call('page:call-state', { tabId: 5 }, popup)).toMatchObject({ ok: true, value: { status: 'waiting-for-keys', sas: theirs.value.sas.text, peer: 'bob' } });
  });

  it('refuses a second connection with the same call id, subframes, and tabs Veil does not know', async () => {
    expect((await call('content:call-keys', KEYS_BODY, content(5))).ok).toBe(true);
    expect(await call('content:call-keys', KEYS_BODY, content(5))).toMatchObject({ ok: true });
    expect(await call('content:call-keys', { ...KEYS_BODY, callRef: 'call0002' }, content(5))).toMatchObject({ ok: false, error: { code: 'call-reused' } });
    expect(await call('content:call-keys', KEYS_BODY, content(5, 4))).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(await call('content:call-keys', KEYS_BODY, content(6))).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('says there is no session when the conversation has none', async () => {
    await pages.set({ ...alice.page(), tabId: 7, conversationId: 'room-2', peerHandle: 'bob' });
    expect(await call('content:call-keys', KEYS_BODY, content(7))).toMatchObject({ ok: false, error: { code: 'no-session' } });
  });

  it('shows what the page reports, in the overlay of that tab and in the popup, until the tab closes', async () => {
    await call('content:call-keys', KEYS_BODY, content(5));
    now += 500;
    expect(await call('content:call-status', { callRef: KEYS_BODY.callRef, report: REPORT }, content(5))).toEqual({ ok: true, value: null });
    now += 250;
    const view = await call('frame:call-state', undefined, frame(5));
    expect(view).toMatchObject({ ok: true, value: { status: 'encrypted', framesEncrypted: 10, framesDecrypted: 8, framesDropped: 1, ageMs: 250, peer: 'bob' } });
    expect(await call('frame:call-state', undefined, frame(6))).toEqual({ ok: true, value: null });
    expect(await call('content:call-ended', { callRef: KEYS_BODY.callRef }, content(5))).toEqual({ ok: true, value: null });
    expect(await call('content:call-policy', undefined, content(5))).toEqual({ ok: true, value: { strict: true } });
    await service.forgetTab(5);
    expect(await call('page:call-state', { tabId: 5 }, popup)).toEqual({ ok: true, value: null });
  });
});
