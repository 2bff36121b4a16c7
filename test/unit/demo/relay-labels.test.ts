/**
 * The demo's labels for what the server relayed, checked against a real conversation between two
 * text engines (test/unit/chat/chat-sim.ts): query line, the three key agreement steps, the key
 * confirmation, encrypted messages, the parts of a long message — and what is not Veil's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { labelRelayed } from '../../demo/relay-labels';
import { Chat, Person, establish } from '../chat/chat-sim';

async function send(p: Person, text: string, maxChars = 2000): Promise<void> {
  const r = await p.engine.composeSend(p.page({ maxChars }), text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  p.post(r.value);
}

describe('demo relay labels', () => {
  let chat: Chat;
  let alice: Person;
  let bob: Person;
  beforeEach(async () => {
    chat = new Chat();
    alice = new Person('alice', chat, 1);
    bob = new Person('bob', chat, 2);
    await alice.setup();
    await bob.setup();
    await establish(alice, bob);
  });

  it('names every relayed text of a conversation, in order', async () => {
    await send(alice, 'hello');
    await send(bob, 'hi there 👋');
    await send(alice, 'long '.repeat(200), 300);
    chat.send('carol', 'just a plain line');
    const labels = labelRelayed(chat.messages.map((m) => ({ from: m.author, text: m.text })));
    const summary = labels.map((l) => `${l.from} ${l.kind}${l.part ? ` ${l.part.index}/${l.part.count}` : ''}`);
    const parts = labels.filter((l) => l.part).length;
    expect(parts).toBeGreaterThanOrEqual(3);
    expect(summary).toEqual([
      'alice query',
      'bob key-agreement',
      'alice key-agreement',
      'bob key-agreement',
      'alice key-confirmation',
      'alice message',
      'bob message',
      ...Array.from({ length: parts }, (_, i) => `alice message ${i + 1}/${parts}`),
      'carol plain',
    ]);
    expect(labels[0]!.label).toContain('query line');
    expect(labels[1]!.label).toMatch(/^key agreement, step 1 of 3 \(commit\)/);
    expect(labels[2]!.label).toMatch(/^key agreement, step 2 of 3 \(reply\)/);
    expect(labels[3]!.label).toMatch(/^key agreement, step 3 of 3 \(reveal\)/);
    expect(labels[4]!.label).toMatch(/^key confirmation: alice's automatic first encrypted message/);
    expect(labels[5]!.label).toMatch(/^encrypted message 1 from alice \(ratchet key [0-9a-f]{8}…, message 1 on it;/);
    expect(labels[6]!.label).toMatch(/^encrypted message 1 from bob \(ratchet key [0-9a-f]{8}…, message 0 on it;/);
    // Every part names the one message it belongs to.
    for (const [i, l] of labels.filter((x) => x.part).entries()) expect(l.label).toMatch(new RegExp(`^part ${i + 1} of ${parts} \\(id [0-9a-f]{8}\\) of encrypted message 2 from alice`));
  });

  it('says when a text is damaged or a long message is incomplete', async () => {
    await send(alice, 'long '.repeat(200), 300);
    const parts = chat.messages.slice(-3).map((m) => ({ from: m.author, text: m.text }));
    const labels = labelRelayed([parts[0]!, { from: 'bob', text: 'VL1AAAA' }, { from: 'bob', text: 'VL1!!{' }]);
    expect(labels.map((l) => l.kind)).toEqual(['damaged', 'damaged', 'damaged']);
    expect(labels[0]!.label).toContain('whose other parts never arrived');
    expect(labels[1]!.label).toContain('damaged Veil text (truncated)');
  });
});
