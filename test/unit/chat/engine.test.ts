import { beforeEach, describe, expect, it } from 'vitest';
import { findArmor, parseQuery } from '../../../lib/armor';
import type { FoundResult } from '../../../lib/messaging/views';
import { Chat, Person, establish, twoPeople } from './chat-sim';

async function plaintextOf(p: Person, display: unknown): Promise<string | null> {
  const d = display as { kind: string; token?: string };
  if (d?.kind !== 'message' || !d.token) return null;
  const v = await p.engine.messageView(p.tabId, d.token);
  return v.ok ? v.value.text : null;
}

describe('text engine: two people through a simulated chat', () => {
  let chat: Chat;
  let alice: Person;
  let bob: Person;

  beforeEach(async () => {
    ({ chat, alice, bob } = await twoPeople());
  });

  it('establishes one session through query, accept and the 3-message key agreement', async () => {
    await establish(alice, bob);
    const a = await alice.engine.conversationView(alice.page());
    const b = await bob.engine.conversationView(bob.page());
    expect(a.ok && a.value.status).toBe('established');
    expect(b.ok && b.value.status).toBe('established');
    if (!a.ok || !b.ok) return;
    expect(a.value.peerHandle).toBe('bob');
    expect(b.value.peerHandle).toBe('alice');
    expect(a.value.safetyNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(a.value.safetyNumber).toBe(b.value.safetyNumber);
    expect(a.value.sas).toBe(b.value.sas);
    // The relay saw only the query line and armor.
    for (const m of chat.messages) expect(findArmor(m.text).length > 0 || parseQuery(m.text) !== null).toBe(true);
  });

  it('delivers messages both ways, shows senders their own text, and survives re-rendering', async () => {
    await establish(alice, bob);
    const texts = ['hello bob', 'שלום 你好 👋🏽', '*not bold* _x_ `code` https://example.com :) -- "quotes"', 'x'.repeat(5000)];
    for (const t of texts) {
      const sent = await alice.engine.composeSend(alice.page(), t);
      expect(sent.ok).toBe(true);
      if (sent.ok) alice.post(sent.value);
    }
    const reply = await bob.engine.composeSend(bob.page(), 'hi alice');
    expect(reply.ok).toBe(true);
    if (reply.ok) bob.post(reply.value);

    for (let pass = 0; pass < 3; pass++) {
      // Every pass is a full re-render of the list (as virtualized lists do).
      const seenByBob = await bob.render();
      const seenByAlice = await alice.render();
      const bobTexts: string[] = [];
      const aliceTexts: string[] = [];
      for (const [id, d] of seenByBob) {
        const t = await plaintextOf(bob, d);
        if (t !== null && chat.messages.find((m) => m.id === id)?.author === 'alice') bobTexts.push(t);
      }
      for (const [id, d] of seenByAlice) {
        const t = await plaintextOf(alice, d);
        if (t !== null && chat.messages.find((m) => m.id === id)?.author === 'alice') aliceTexts.push(t);
      }
      expect(bobTexts).toEqual(texts);
      expect(aliceTexts).toEqual(texts);
    }
    // The 5000-character message was fragmented to the 2000-character limit.
    expect(chat.messages.every((m) => m.text.length <= 2000)).toBe(true);
    for (const t of texts) expect(chat.messages.some((m) => m.text.includes(t))).toBe(false);
  });

  it('answers every part of a long message as complete once it was reassembled, whatever order they are asked in', async () => {
    await establish(alice, bob);
    const long = 'y'.repeat(7000);
    const sent = await alice.engine.composeSend(alice.page(), long);
    if (!sent.ok) throw new Error('send failed');
    expect(sent.value.texts.length).toBeGreaterThanOrEqual(4);
    const parts = sent.value.texts.map((text, i) => ({ key: `p${i}`, author: 'alice', text }));
    // The parts reach Bob's page one at a time (one batch each), as a live chat delivers them.
    let last: FoundResult['display'] | undefined;
    for (const p of parts) {
      const r = await bob.engine.found(bob.page(), [p]);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      last = r.value.results[0]?.display;
    }
    expect(last).toMatchObject({ kind: 'fragment', complete: true });
    // Asked again (the content script re-sends incomplete parts), in every order, also after a
    // background restart: part 0 shows the text, every other part is "part k of n, complete".
    for (const order of [parts, [...parts].reverse()]) {
      const r = await bob.engine.found(bob.page(), order);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      for (const res of r.value.results) {
        if (res.key === 'p0') expect(await plaintextOf(bob, res.display)).toBe(long);
        else expect(res.display).toMatchObject({ kind: 'fragment', complete: true });
      }
      await bob.boot();
    }
  });

  it('keeps the conversation across background restarts between messages', async () => {
    await establish(alice, bob);
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) {
      const from = i % 3 === 0 ? bob : alice;
      if (i % 2 === 0) await from.boot();
      const r = await from.engine.composeSend(from.page(), `message ${i}`);
      expect(r.ok).toBe(true);
      if (r.ok) from.post(r.value);
      sent.push(`message ${i}`);
      await (from === alice ? bob : alice).render();
    }
    await alice.boot();
    await bob.boot();
    const a = await alice.render();
    const all: string[] = [];
    for (const d of a.values()) {
      const t = await plaintextOf(alice, d);
      if (t?.startsWith('message')) all.push(t);
    }
    expect(all).toEqual(sent);
  });

  it('never shows a frame token to another tab', async () => {
    await establish(alice, bob);
    const r = await alice.engine.composeSend(alice.page(), 'secret');
    if (r.ok) alice.post(r.value);
    const seen = await bob.render();
    const d = [...seen.values()].find((x) => x.kind === 'message');
    expect(d?.kind).toBe('message');
    if (d?.kind !== 'message') return;
    expect((await bob.engine.messageView(bob.tabId, d.token)).ok).toBe(true);
    const other = await bob.engine.messageView(99, d.token);
    expect(other).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('marks tampered, replayed and copied ciphertext without breaking the rest', async () => {
    await establish(alice, bob);
    const r = await alice.engine.composeSend(alice.page(), 'original');
    if (!r.ok) throw new Error('send failed');
    const armored = r.value.texts[0]!;
    // A flipped character in the payload.
    const idx = armored.length - 8;
    const flipped = armored.slice(0, idx) + (armored[idx] === 'A' ? 'B' : 'A') + armored.slice(idx + 1);
    chat.send('alice', flipped);
    alice.post(r.value);
    chat.send('alice', armored); // a replay of the same ciphertext
    const ids = chat.messages.slice(-3).map((m) => m.id);
    const seen = await bob.render();
    const lastThree = ids.map((id) => seen.get(id));
    expect(lastThree[0]).toMatchObject({ kind: 'error' });
    expect(await plaintextOf(bob, lastThree[1])).toBe('original');
    // The replay renders from the cache (same ciphertext = same message), not as a new message.
    expect(await plaintextOf(bob, lastThree[2])).toBe('original');
    // The same ciphertext shown by a second message on the page at once: flagged as a replay.
    const dup = await bob.engine.found(bob.page(), [{ key: 'dup', author: 'alice', text: armored, duplicate: true }]);
    expect(dup.ok && dup.value.results[0]?.display).toMatchObject({ kind: 'error', badge: 'tampered' });
    // Copied into another conversation: refused.
    const elsewhere = await bob.engine.found(bob.page({ conversationId: 'room-2' }), [{ key: 'x', author: 'alice', text: armored }]);
    expect(elsewhere.ok && elsewhere.value.results[0]?.display).toMatchObject({ kind: 'error', badge: 'tampered' });
  });

  it('blocks sending after the peer key changes until the user accepts it', async () => {
    await establish(alice, bob);
    // Bob loses everything and comes back with a new identity.
    const chat2 = chat;
    const bob2 = new Person('bob', chat2, 3);
    await bob2.setup();
    await establish(bob2, alice).catch(() => undefined);
    // Alice must be asked (query from bob2) — accept it from Alice's side.
    const seen = await alice.render();
    const prompt = [...seen.values()].find((d) => d.kind === 'query' && d.token);
    if (prompt?.kind === 'query' && prompt.token) {
      const ans = await alice.engine.answerQuery(alice.page(), prompt.token, true);
      if (ans.ok && ans.value) alice.post(ans.value);
    }
    for (let i = 0; i < 4; i++) {
      await bob2.render();
      await alice.render();
    }
    const view = await alice.engine.conversationView(alice.page());
    expect(view.ok && view.value.status).toBe('blocked-key-change');
    const blocked = await alice.engine.composeSend(alice.page(), 'to the new bob');
    expect(blocked).toMatchObject({ ok: false, error: { code: 'blocked' } });
    const contact = await alice.keyring.getContact('https://chat.example', 'bob');
    if (!contact.ok || !contact.value) throw new Error('no contact');
    const accepted = await alice.keyring.acceptKeyChange('https://chat.example', 'bob', contact.value.fingerprint, { origin: 'user' });
    expect(accepted.ok).toBe(true);
    expect((await alice.engine.composeSend(alice.page(), 'to the new bob')).ok).toBe(true);
  });

  it('reports locked instead of decrypting while the keyring is locked', async () => {
    await establish(alice, bob);
    const r = await alice.engine.composeSend(alice.page(), 'while locked');
    if (r.ok) alice.post(r.value);
    // Give Bob a passphrase, then lock.
    expect((await bob.keyring.changePassphrase(null, 'correct horse', { origin: 'user' })).ok).toBe(true);
    expect((await bob.keyring.lock()).ok).toBe(true);
    const seen = await bob.render();
    const last = seen.get(chat.messages.at(-1)!.id);
    expect(last).toMatchObject({ kind: 'error', badge: 'locked' });
    expect((await bob.keyring.unlock('correct horse')).ok).toBe(true);
    const again = await bob.render();
    expect(await plaintextOf(bob, again.get(chat.messages.at(-1)!.id))).toBe('while locked');
  });

  it('ignores an ignored query and does not prompt again for it', async () => {
    const q = await alice.engine.startEncryption(alice.page());
    if (!q.ok) throw new Error('no query');
    alice.post(q.value);
    const seen = await bob.render();
    const prompt = [...seen.values()].find((d) => d.kind === 'query');
    if (prompt?.kind !== 'query' || !prompt.token) throw new Error('no prompt');
    expect((await bob.engine.answerQuery(bob.page(), prompt.token, false)).ok).toBe(true);
    const again = await bob.render();
    expect([...again.values()].some((d) => d.kind === 'query' && d.token)).toBe(false);
    // A frame in another tab cannot answer it.
    expect((await bob.engine.answerQuery(bob.page({ tabId: 77 }), prompt.token, true)).ok).toBe(false);
  });
});
