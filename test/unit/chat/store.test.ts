import { beforeEach, describe, expect, it } from 'vitest';
import { ConversationStore } from '../../../lib/chat/store';
import { Person, establish, twoPeople } from './chat-sim';

describe('conversation store', () => {
  let alice: Person;
  let bob: Person;

  beforeEach(async () => {
    ({ alice, bob } = await twoPeople());
  });

  it('keeps a conversation’s meta in a conversation record: no placeholder peer among the sessions', async () => {
    await establish(alice, bob);
    expect(await alice.keyring.listSessions()).toEqual({
      ok: true,
      value: [{ site: 'https://chat.example', conversation: 'room-1', peer: 'bob' }],
    });
    expect(await alice.keyring.listConversations()).toEqual({ ok: true, value: [{ site: 'https://chat.example', conversation: 'room-1' }] });
    const meta = await new ConversationStore(alice.keyring).loadMeta({ site: 'https://chat.example', conversationId: 'room-1' });
    expect(meta).toMatchObject({ ok: true, value: { lastPeer: 'bob' } });
    if (meta.ok) expect(meta.value.querySentAt).toBeGreaterThan(0);
  });

  it('finds the confirmed session for calls: the page’s peer first, else the last peer', async () => {
    const store = new ConversationStore(alice.keyring);
    const room = { site: 'https://chat.example', conversationId: 'room-1' };
    expect(await store.confirmedSession(room, 'bob')).toEqual({ ok: true, value: null });
    await establish(alice, bob);
    for (const pagePeer of ['bob', null, 'someone-else']) {
      const found = await store.confirmedSession(room, pagePeer);
      expect(found.ok && found.value?.peer, String(pagePeer)).toBe('bob');
      if (found.ok) expect(found.value?.state.session?.confirmed).toBe(true);
    }
    expect(await store.confirmedSession({ ...room, conversationId: 'room-2' }, 'bob')).toEqual({ ok: true, value: null });
  });

  it('lists a contact’s sessions across conversations, and only that contact’s', async () => {
    await establish(alice, bob);
    const store = new ConversationStore(alice.keyring);
    const withBob = await store.sessionsWith({ site: 'https://chat.example', handle: 'bob' });
    expect(withBob.ok && withBob.value.map((s) => s.key)).toEqual([{ site: 'https://chat.example', conversationId: 'room-1', peer: 'bob' }]);
    expect(await store.sessionsWith({ site: 'https://chat.example', handle: 'carol' })).toEqual({ ok: true, value: [] });
    expect(await store.sessionsWith({ site: 'https://other.example', handle: 'bob' })).toEqual({ ok: true, value: [] });
  });

  it('says locked when the keyring is locked', async () => {
    const store = new ConversationStore(alice.keyring);
    await alice.keyring.lock();
    expect(await store.loadMeta({ site: 'https://chat.example', conversationId: 'room-1' })).toMatchObject({ ok: false, error: { code: 'locked' } });
    expect(await store.loadPeer({ site: 'https://chat.example', conversationId: 'room-1', peer: 'bob' })).toMatchObject({ ok: false, error: { code: 'locked' } });
  });
});
