import { describe, expect, it } from 'vitest';
import { MitmRelay } from '../../e2e/mitm-relay';
import { Chat, Person, establish } from './chat-sim';

describe('a key-substituting relay (the E2E tests’ man in the middle)', () => {
  it('completes a session with each side, and the safety numbers differ', async () => {
    const chat = new Chat();
    const alice = new Person('alice', chat, 1);
    const bob = new Person('bob', chat, 2);
    await alice.setup();
    await bob.setup();
    const relay = new MitmRelay('https://chat.example', 'room-1');
    chat.relay = (author, text) => relay.transform('room-1', author, text);
    await establish(alice, bob);
    const a = await alice.engine.conversationView(alice.page());
    const b = await bob.engine.conversationView(bob.page());
    expect(relay.rewritten.length).toBe(4);
    expect(a.ok && a.value.status).toBe('established');
    expect(b.ok && b.value.status).toBe('established');
    if (a.ok && b.ok) expect(a.value.safetyNumber).not.toBe(b.value.safetyNumber);
  });
});
