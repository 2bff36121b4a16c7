/**
 * A simulated chat for text-engine tests: two people, each with their own keyring and engine,
 * posting into one shared message list that "renders" by handing every message's text back to
 * each side's engine, as the content script would.
 */
import { MemoryStore, Keyring } from '../../../lib/keyring';
import { TextEngine } from '../../../lib/chat/engine';
import { ConversationStore } from '../../../lib/chat/store';
import { TokenStore } from '../../../lib/chat/tokens';
import type { PageContext, Post } from '../../../lib/chat/types';
import type { FoundResult } from '../../../lib/messaging/views';
import { generateIdentity, serializeIdentity } from '../../../lib/protocol';

export interface ChatMessage {
  id: number;
  author: string;
  text: string;
}

export class Person {
  engine!: TextEngine;
  keyring!: Keyring;
  readonly local = new MemoryStore();
  readonly session = new MemoryStore();
  clock = { now: 1_700_000_000_000 };

  constructor(
    readonly handle: string,
    readonly chat: Chat,
    readonly tabId: number,
  ) {}

  async setup(): Promise<void> {
    await this.boot();
    const init = await this.keyring.initialize(null);
    if (!init.ok) throw new Error(JSON.stringify(init.error));
    const set = await this.keyring.setIdentity(serializeIdentity(generateIdentity()));
    if (!set.ok) throw new Error(JSON.stringify(set.error));
  }

  /** A fresh background: new keyring and engine over the same storage (a restart). */
  async boot(): Promise<void> {
    const kr = await Keyring.open({ local: this.local, session: this.session, now: () => this.clock.now, kdfParams: { N: 1024, r: 8, p: 1 } });
    if (!kr.ok) throw new Error(JSON.stringify(kr.error));
    this.keyring = kr.value;
    this.engine = new TextEngine({
      keyring: this.keyring,
      conversations: new ConversationStore(this.keyring),
      tokens: new TokenStore(this.session),
      now: () => this.clock.now,
      inviteUrl: 'https://veil.example/get',
    });
  }

  page(over: Partial<PageContext> = {}): PageContext {
    return {
      tabId: this.tabId,
      site: 'https://chat.example',
      conversationId: 'room-1',
      selfHandle: this.handle,
      peerHandle: null,
      maxChars: 2000,
      alphabet: 'ascii',
      profileFallback: false,
      ...over,
    };
  }

  /** Hands every message in the chat to the engine, posting whatever it asks to post. */
  async render(over: Partial<PageContext> = {}): Promise<Map<number, FoundResult['display']>> {
    const out = new Map<number, FoundResult['display']>();
    const items = this.chat.messages.map((m) => ({ key: String(m.id), author: m.author, text: m.text }));
    for (let i = 0; i < items.length; i += 64) {
      const r = await this.engine.found(this.page(over), items.slice(i, i + 64));
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      for (const res of r.value.results) out.set(Number(res.key), res.display);
      for (const post of r.value.posts) this.post(post);
    }
    return out;
  }

  post(post: Post): void {
    for (const text of post.texts) this.chat.send(this.handle, text);
  }
}

export class Chat {
  messages: ChatMessage[] = [];
  private nextId = 1;
  /** A relay hook: may rewrite or drop (return null) a message in flight. */
  relay: ((author: string, text: string) => string | null) | null = null;

  send(author: string, text: string): void {
    const relayed = this.relay ? this.relay(author, text) : text;
    if (relayed !== null) this.messages.push({ id: this.nextId++, author, text: relayed });
  }
}

/** A chat with Alice and Bob, each with a fresh identity (Alice's tab id can be chosen). */
export async function twoPeople(aliceTab = 1): Promise<{ chat: Chat; alice: Person; bob: Person }> {
  const chat = new Chat();
  const alice = new Person('alice', chat, aliceTab);
  const bob = new Person('bob', chat, 2);
  await alice.setup();
  await bob.setup();
  return { chat, alice, bob };
}

/** Alice asks, Bob accepts, and both render until the handshake settles. */
export async function establish(alice: Person, bob: Person): Promise<void> {
  const q = await alice.engine.startEncryption(alice.page());
  if (!q.ok) throw new Error(JSON.stringify(q.error));
  alice.post(q.value);
  const seen = await bob.render();
  const prompt = [...seen.values()].find((d) => d.kind === 'query' && !d.fromSelf);
  if (!prompt || prompt.kind !== 'query' || !prompt.token) throw new Error('Bob saw no query prompt');
  const ans = await bob.engine.answerQuery(bob.page(), prompt.token, true);
  if (!ans.ok || !ans.value) throw new Error(JSON.stringify(ans));
  bob.post(ans.value);
  for (let round = 0; round < 4; round++) {
    await alice.render();
    await bob.render();
  }
}
