import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createPageRegistry } from '../../../entrypoints/background/page-registry';
import { createTextService, type TextMessage, type TextService } from '../../../entrypoints/background/text-service';
import { guardAll, type RawSender } from '../../../lib/messaging';
import type { FoundDisplay } from '../../../lib/messaging/views';
import { Chat, Person } from '../chat/chat-sim';
import { content, ctx, fakeSites, fakeTabs, frame, keyringWithIdentity, popup, session, settle, SITE } from './harness';

const PAGE_STATE = { conversationId: 'room-1', selfHandle: 'alice', peerHandle: null, profileFallback: false, maxChars: 2000, alphabet: 'ascii' as const };

describe('text service on the fake browser', () => {
  let chat: Chat;
  let bob: Person;
  let service: TextService;
  let tabs: ReturnType<typeof fakeTabs>;
  let send: ReturnType<typeof guardAll<TextMessage>>;

  beforeEach(async () => {
    fakeBrowser.reset();
    chat = new Chat();
    bob = new Person('bob', chat, 2);
    await bob.setup();
    tabs = fakeTabs(chat, 'alice');
    const alice = await keyringWithIdentity();
    service = createTextService({ ...alice, pages: createPageRegistry(session), session, tabs: tabs.tabs, sites: fakeSites(['https://off.example']), startedAt: 42 });
    send = guardAll(ctx, service.handlers);
  });

  const call = <T extends keyof typeof send>(type: T, data: unknown, sender: RawSender) => send[type]({ data, sender });

  /** Alice's content script reports every message in the chat; Bob's engine reads the chat too. */
  async function exchange(rounds: number): Promise<Map<number, FoundDisplay>> {
    let seen = new Map<number, FoundDisplay>();
    for (let i = 0; i < rounds; i++) {
      const items = chat.messages.map((m) => ({ key: String(m.id), author: m.author, text: m.text }));
      const r = await call('content:found', { conversationId: 'room-1', items }, content(5));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      seen = new Map(r.value.map((x) => [Number(x.key), x.display]));
      await settle();
      await bob.render();
    }
    return seen;
  }

  it('answers hello for enabled sites only, from the sender’s own tab and origin', async () => {
    expect(await call('content:hello', { href: `${SITE}/chat/room-1`, hookSeen: false }, content(5))).toEqual({
      ok: true,
      value: { tabId: 5, origin: SITE, siteId: null, backgroundStartedAt: 42, keyringState: 'unlocked' },
    });
    const off = { ...content(5), url: 'https://off.example/x' };
    expect(await call('content:hello', { href: 'x', hookSeen: false }, off)).toMatchObject({ ok: false, error: { code: 'site-not-enabled' } });
  });

  it('keeps page contexts in the page registry, and asks for one before reading messages', async () => {
    expect(await call('content:found', { conversationId: 'room-1', items: [] }, content(5))).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('content:page-state', PAGE_STATE, content(5))).toEqual({ ok: true, value: null });
    expect(await createPageRegistry(session).get(5)).toMatchObject({ tabId: 5, site: SITE, conversationId: 'room-1', selfHandle: 'alice' });
    expect(await call('content:found', { conversationId: 'room-2', items: [] }, content(5))).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('page:tab-state', { tabId: 5 }, popup)).toMatchObject({ ok: true, value: { tabId: 5, origin: SITE, conversation: { status: 'none' } } });
    expect(await call('page:tab-state', { tabId: 9 }, popup)).toEqual({ ok: true, value: null });
  });

  it('starts encryption, posts through the tab, sends from the compose frame, and shows text only to frames of that tab', async () => {
    await call('content:page-state', PAGE_STATE, content(5));
    expect(await call('page:start-encryption', { tabId: 5 }, popup)).toEqual({ ok: true, value: null });
    await settle();
    expect(tabs.sent).toEqual([{ tabId: 5, type: 'tab:post', data: { texts: [expect.stringMatching(/^\?VEILv1\?/)], reason: 'query' } }]);
    const prompt = [...(await bob.render()).values()].find((d) => d.kind === 'query' && !d.fromSelf);
    if (prompt?.kind !== 'query' || !prompt.token) throw new Error('Bob saw no prompt');
    const answer = await bob.engine.answerQuery(bob.page(), prompt.token, true);
    if (!answer.ok || !answer.value) throw new Error('Bob could not answer');
    bob.post(answer.value);
    await exchange(4);
    expect(await call('page:tab-state', { tabId: 5 }, popup)).toMatchObject({ ok: true, value: { conversation: { status: 'established', peerHandle: 'bob' } } });

    const opened = await call('content:open-compose', { conversationId: 'room-1' }, content(5));
    if (!opened.ok) throw new Error('no compose token');
    const token = opened.value.token;
    expect(await call('frame:compose-state', { token }, frame(5))).toMatchObject({ ok: true, value: { conversation: { status: 'established', canSend: true }, undelivered: null } });
    expect(await call('frame:compose-state', { token }, frame(6))).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('frame:compose-send', { token, text: 'hello bob' }, frame(5))).toEqual({ ok: true, value: { fragments: 1 } });

    const bobSees = await bob.render();
    const last = [...bobSees.entries()].pop()![1];
    if (last.kind !== 'message') throw new Error('Bob got no message');
    expect(await bob.engine.messageView(bob.tabId, last.token)).toMatchObject({ ok: true, value: { text: 'hello bob' } });

    const aliceSees = await exchange(1);
    const own = [...aliceSees.values()].pop()!;
    if (own.kind !== 'message') throw new Error('Alice does not see her own message');
    expect(await call('frame:message', { token: own.token }, frame(5))).toMatchObject({ ok: true, value: { text: 'hello bob', direction: 'sent' } });
    expect(await call('frame:message', { token: own.token }, frame(6))).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('tells every known tab to rescan, and forgets a tab that no longer answers or closed', async () => {
    await call('content:page-state', PAGE_STATE, content(5));
    await call('content:page-state', PAGE_STATE, content(6));
    tabs.closed.add(6);
    await service.refreshAllTabs();
    expect(tabs.sent.map((s) => [s.tabId, s.type])).toEqual([
      [5, 'tab:refresh'],
      [6, 'tab:refresh'],
    ]);
    const pages = createPageRegistry(session);
    expect(await pages.tabs()).toEqual([5]);
    await service.forgetTab(5);
    expect(await createPageRegistry(session).tabs()).toEqual([]);
  });
});
