/**
 * A hostile relay for the E2E tests: the chat server, while relaying, runs Veil's own protocol to
 * put itself between Alice and Bob during a key agreement (man in the middle). It rewrites each
 * handshake message in flight with one of its own, so both sides complete a session — with the
 * relay. Only verification (safety numbers) or a remembered key can reveal it.
 */
import { armor, findArmor } from '../../lib/armor';
import {
  decodeWireMessage,
  generateIdentity,
  newConversation,
  receive,
  startKeyAgreement,
  type ConversationState,
  type Identity,
} from '../../lib/protocol';

export class MitmRelay {
  readonly identity: Identity = generateIdentity();
  /** Mallory posing as the responder (Bob) towards the initiator's peer, and vice versa. */
  private towardAlice: ConversationState;
  private towardBob: ConversationState;
  private forBob: Uint8Array[] = [];
  private forAlice: Uint8Array[] = [];
  readonly rewritten: string[] = [];

  /**
   * @param site the page origin Veil binds into the transcript
   * @param room the chat server's room to attack
   * @param conversationId the conversation id Veil reads from the page (the local site: "chat/<room>")
   */
  constructor(
    private readonly site: string,
    private readonly room: string,
    private readonly conversationId = room,
    private readonly alice = 'alice',
    private readonly bob = 'bob',
  ) {
    this.towardAlice = this.fresh(bob, alice);
    this.towardBob = this.fresh(alice, bob);
  }

  private fresh(self: string, peer: string): ConversationState {
    const c = newConversation({ site: this.site, conversationId: this.conversationId, selfHandle: self, peerHandle: peer });
    if (!c.ok) throw new Error(c.error.message);
    return c.value;
  }

  private recv(which: 'toward-alice' | 'toward-bob', bytes: Uint8Array): Uint8Array[] {
    const state = which === 'toward-alice' ? this.towardAlice : this.towardBob;
    const r = receive(state, { identity: this.identity, wire: bytes, now: Date.now() });
    if (!r.ok) return [];
    if (which === 'toward-alice') this.towardAlice = r.value.state;
    else this.towardBob = r.value.state;
    return r.value.outgoing;
  }

  /** The chat server's relay hook: (room, from, text) → what everyone else sees. */
  transform = (room: string, from: string, text: string): string | null => {
    if (room !== this.room) return text;
    const found = findArmor(text)[0];
    if (!found?.result.ok || found.result.value.kind !== 'whole') return text;
    const bytes = found.result.value.bytes;
    const msg = decodeWireMessage(bytes);
    if (!msg.ok) return text;
    const swap = (out: Uint8Array | undefined): string => {
      if (!out) return text;
      const t = armor(out, 'ascii');
      this.rewritten.push(t);
      return t;
    };
    if (from === this.bob) {
      if (msg.value.type === 'commit') {
        // Bob starts: answer him as "Alice" later, and start our own agreement with Alice now.
        this.towardBob = this.fresh(this.alice, this.bob);
        this.towardAlice = this.fresh(this.bob, this.alice);
        this.forBob = this.recv('toward-bob', bytes);
        const started = startKeyAgreement(this.towardAlice, this.identity);
        if (!started.ok) return text;
        this.towardAlice = started.value.state;
        return swap(started.value.outgoing[0]);
      }
      if (msg.value.type === 'reveal') {
        this.forBob = this.recv('toward-bob', bytes); // our confirmation for Bob, sent later
        return swap(this.forAlice.shift());
      }
      return text;
    }
    if (from === this.alice) {
      if (msg.value.type === 'reply') {
        this.forAlice = this.recv('toward-alice', bytes); // our reveal for Alice
        return swap(this.forBob.shift());
      }
      if (msg.value.type === 'ratchet' && this.forBob.length > 0) {
        this.recv('toward-alice', bytes); // Alice's confirmation completes our session with her
        return swap(this.forBob.shift());
      }
    }
    return text;
  };
}
