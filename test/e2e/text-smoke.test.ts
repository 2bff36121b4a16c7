/** One encrypted conversation end to end: the shortest proof that the text path works. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { browsersUnderTest, launchVeil, type VeilBrowser } from './harness';
import { createIdentity, establishSession, openChat, poll, readPlaintexts, sendInCompose } from './text-flow';

describe.each(browsersUnderTest())('text smoke in %s', (kind) => {
  let site: ChatSite;
  let alice: VeilBrowser;
  let bob: VeilBrowser;
  beforeAll(async () => {
    site = await startChatSite();
    [alice, bob] = await Promise.all([launchVeil(kind, 'alice', { enableTestHost: true }), launchVeil(kind, 'bob', { enableTestHost: true })]);
    await Promise.all([createIdentity(alice), createIdentity(bob)]);
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await site?.close();
  });

  it('starts a session and carries messages both ways', async () => {
    const attempt = Date.now().toString(36); // fresh room if retried
    const a = await openChat(alice, site, `smoke-${attempt}`, 'alice', 'textarea');
    const b = await openChat(bob, site, `smoke-${attempt}`, 'bob', 'textarea');
    const { ac, bc } = await establishSession(a, b);
    await sendInCompose(a, ac, 'hello from alice');
    await sendInCompose(b, bc, 'hello from bob');
    await poll('bob to read', async () => (await readPlaintexts(b)).length >= 2);
    expect(await readPlaintexts(b)).toEqual(['hello from alice', 'hello from bob']);
    expect(await readPlaintexts(a)).toEqual(['hello from alice', 'hello from bob']);
    const relayed = site.log.filter((e) => e.kind === 'chat').map((e) => (e as { text: string }).text).join('\n');
    expect(relayed).not.toContain('hello from');
  });
});
