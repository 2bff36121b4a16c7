/**
 * Issue 4: the background is stopped again and again in the middle of a conversation (every few
 * messages, on both sides). No message and no session is lost: ratchet state is stored before
 * each ciphertext leaves, and the keyring resumes unlocked from storage.session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { browsersUnderTest, launchVeil, type VeilBrowser } from './harness';
import { createIdentity, establishSession, openChat, poll, readPlaintexts, sendInCompose, waitStatus } from './text-flow';

// Two rounds of stops (after messages 4 and 8), both directions in each: more rounds repeated the
// same state (16 messages and 4 rounds cost about a minute more per browser in CI).
const MESSAGES = 8;
const STOP_EVERY = 4;

describe.each(browsersUnderTest())('background restarts mid-conversation in %s', (kind) => {
  let site: ChatSite;
  let alice: VeilBrowser;
  let bob: VeilBrowser;
  beforeAll(async () => {
    site = await startChatSite();
    [alice, bob] = await Promise.all([launchVeil(kind, 'alice', { enableTestHost: true }), launchVeil(kind, 'bob', { enableTestHost: true })]);
    // A passphrase: after each restart the keyring must resume from storage.session, not ask again.
    await Promise.all([createIdentity(alice, 'alice passphrase 1'), createIdentity(bob, 'bob passphrase 1')]);
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await site?.close();
  });

  it(`loses nothing when both backgrounds stop every ${STOP_EVERY} messages`, async () => {
    const room = `restarts-${Date.now().toString(36)}`; // fresh room if retried
    const a = await openChat(alice, site, room, 'alice', 'contenteditable', '&rerender=0');
    const b = await openChat(bob, site, room, 'bob', 'contenteditable', '&rerender=0');
    const { ac, bc } = await establishSession(a, b);
    const expected: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const fromAlice = i % 3 !== 2;
      const text = `${fromAlice ? 'alice' : 'bob'} says number ${i}`;
      await sendInCompose(fromAlice ? a : b, fromAlice ? ac : bc, text);
      expected.push(text);
      // Each message must have arrived before the next one is written (so the order is fixed).
      await poll(`message ${i} to arrive`, async () => (await readPlaintexts(fromAlice ? b : a)).length === expected.length, 60_000);
      if (i % STOP_EVERY === STOP_EVERY - 1) await Promise.all([alice.stopBackground(), bob.stopBackground()]);
    }
    expect(await readPlaintexts(a)).toEqual(expected);
    expect(await readPlaintexts(b)).toEqual(expected);
    expect(await waitStatus(ac, 'encrypted').then(() => true)).toBe(true);
  });
});
