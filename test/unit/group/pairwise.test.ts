// Control payloads carried by real pairwise Double Ratchet sessions, addressed with envelopes in
// one shared channel: what the text engine will do, end to end in memory.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  encryptGroupControl,
  receive,
  type ConversationEvent,
  type ConversationState,
} from '../../../lib/protocol/index.ts';
import {
  acceptGroup,
  createGroup,
  decodeGroupEnvelope,
  decryptGroupMessage,
  encodeGroupEnvelope,
  encryptGroupMessage,
  memberTag,
  receiveGroupControl,
  type GroupOutgoing,
  type GroupState,
} from '../../../lib/group/index.ts';
import { deliver, makeParty, type Party } from '../protocol/helpers.ts';
import { startKeyAgreement } from '../../../lib/protocol/index.ts';
import { SITE, NOW } from './sim.ts';

interface Node {
  name: string;
  /** Pairwise conversations by peer name. */
  pairs: Map<string, Party>;
  group: GroupState | null;
}

function establish(x: Party, y: Party): void {
  const s = startKeyAgreement(x.state, x.identity, x.rng);
  if (!s.ok) throw new Error('start');
  x.state = s.value.state;
  const r1 = deliver(y, s.value.outgoing);
  const r2 = deliver(x, r1.outgoing);
  const r3 = deliver(y, r2.outgoing);
  deliver(x, r3.outgoing);
}

describe('group control over pairwise sessions', () => {
  it('creates a group whose keys travel only inside the pairwise sessions, addressed in one channel', () => {
    const names = ['alice', 'bob', 'carol'];
    const identities = new Map<string, Party['identity']>();
    const nodes = new Map<string, Node>();
    for (const n of names) nodes.set(n, { name: n, pairs: new Map(), group: null });
    for (const x of names) for (const y of names) if (x < y) {
      const px = makeParty(x, y, `${x}-${y}-${x}`);
      const py = makeParty(y, x, `${x}-${y}-${y}`);
      // One identity per person across all their pairwise sessions.
      px.identity = identities.get(x) ?? px.identity;
      py.identity = identities.get(y) ?? py.identity;
      identities.set(x, px.identity);
      identities.set(y, py.identity);
      establish(px, py);
      nodes.get(x)!.pairs.set(y, px);
      nodes.get(y)!.pairs.set(x, py);
    }
    const nameOf = (hex: string) => names.find((n) => bytesToHex(identities.get(n)!.publicKey) === hex)!;
    const channel: string[][] = []; // what the relay sees: [sender, hex of the posted bytes]

    /** Sender side: each control payload → pairwise ciphertext → envelope posted in the channel. */
    const post = (from: string, out: readonly GroupOutgoing[]) => {
      for (const o of out) {
        const to = nameOf(o.to);
        const pair = nodes.get(from)!.pairs.get(to)!;
        const enc = encryptGroupControl(pair.state as ConversationState, o.payload);
        if (!enc.ok) throw new Error(enc.error.code);
        pair.state = enc.value.state;
        const env = encodeGroupEnvelope({ to: memberTag(identities.get(to)!.publicKey), from: memberTag(identities.get(from)!.publicKey), inner: enc.value.wire });
        channel.push([from, bytesToHex(env)]);
      }
    };
    const created = createGroup({ site: SITE, self: { identity: identities.get('alice')!.publicKey, handle: 'alice' }, members: ['bob', 'carol'].map((n) => ({ identity: identities.get(n)!.publicKey, handle: n })) });
    if (!created.ok) throw new Error(created.error.code);
    nodes.get('alice')!.group = created.value.state;
    post('alice', created.value.outgoing);

    /** Every member reads every post: only envelopes to them are opened, by the session with the sender tag. */
    for (let i = 0; i < channel.length; i++) {
      const env = decodeGroupEnvelope(Uint8Array.from(Buffer.from(channel[i]![1]!, 'hex')));
      if (!env.ok) throw new Error('envelope');
      for (const n of names) {
        if (bytesToHex(env.value.to) !== bytesToHex(memberTag(identities.get(n)!.publicKey))) continue;
        const fromName = names.find((m) => bytesToHex(memberTag(identities.get(m)!.publicKey)) === bytesToHex(env.value.from))!;
        const pair = nodes.get(n)!.pairs.get(fromName)!;
        const r = receive(pair.state, { identity: pair.identity, wire: env.value.inner, now: NOW, rng: pair.rng });
        if (!r.ok) throw new Error(`${n}: ${r.error.code}`);
        pair.state = r.value.state;
        const ev = r.value.events.find((e): e is Extract<ConversationEvent, { type: 'group-control' }> => e.type === 'group-control');
        expect(ev).toBeDefined();
        const node = nodes.get(n)!;
        const g = receiveGroupControl(node.group, { self: identities.get(n)!.publicKey, from: ev!.peerIdentity, payload: ev!.payload, site: SITE, now: NOW });
        if (!g.ok) throw new Error(`${n}: ${g.error.code}`);
        node.group = g.value.state;
        post(n, g.value.outgoing);
        if (node.group.status === 'invited') {
          const acc = acceptGroup(node.group);
          if (!acc.ok) throw new Error('accept');
          node.group = acc.value.state;
          post(n, acc.value.outgoing);
        }
      }
    }
    // 2 welcomes + 2 keys from alice, 2 keys each from bob and carol.
    expect(channel.length).toBe(8);
    // No control payload is visible to the relay: nothing but envelopes of pairwise ciphertext.
    for (const [, hex] of channel) expect(hex?.slice(0, 2)).toBe('18');
    const bob = nodes.get('bob')!;
    const enc = encryptGroupMessage(bob.group!, 'hello group');
    if (!enc.ok) throw new Error('enc');
    for (const n of ['alice', 'carol']) {
      const d = decryptGroupMessage(nodes.get(n)!.group!, enc.value.wire, NOW);
      expect(d.ok && d.value.events[0]).toMatchObject({ type: 'message', text: 'hello group', member: bytesToHex(identities.get('bob')!.publicKey) });
    }
  });
});
