// Deterministic group protocol vectors (same SHA-256 counter DRBG as build-vectors.ts). Any change
// to a group wire format, control payload, label or key schedule changes them and fails
// test/unit/group/vectors.test.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { armor } from '../../lib/armor/index.ts';
import { generateIdentity, type Identity, type Rng } from '../../lib/protocol/index.ts';
import {
  acceptGroup,
  chainStep,
  createGroup,
  decryptGroupMessage,
  encodeGroupEnvelope,
  encryptGroupMessage,
  memberTag,
  receiveGroupControl,
  removeMembers,
  type GroupOutgoing,
  type GroupResult,
  type GroupState,
} from '../../lib/group/index.ts';

function drbg(seed: string): Rng {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const c = counter++;
      out.set(sha256(concatBytes(utf8ToBytes(seed), Uint8Array.of(c >>> 24, c >>> 16, c >>> 8, c))).subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

const SITE = { site: 'chat.example', conversationId: 'room-42' };
const NOW = 1_700_000_000_000;

interface M {
  name: string;
  identity: Identity;
  id: string;
  rng: Rng;
  state: GroupState | null;
}

function member(name: string): M {
  const rng = drbg(`veil-group-vector-${name}`);
  const identity = generateIdentity(rng);
  return { name, identity, id: bytesToHex(identity.publicKey), rng, state: null };
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

export function buildGroupVectors(): Record<string, unknown> {
  const [alice, bob, carol] = [member('alice'), member('bob'), member('carol')] as [M, M, M];
  const all = [alice, bob, carol];
  const created = must(createGroup({ site: SITE, self: { identity: alice.identity.publicKey, handle: 'alice' }, members: [bob, carol].map((m) => ({ identity: m.identity.publicKey, handle: m.name })), rng: alice.rng }));
  alice.state = created.state;
  const toBob = created.outgoing.filter((o) => o.to === bob.id).map((o) => bytesToHex(o.payload));
  const queue: Array<{ from: M; out: GroupOutgoing }> = created.outgoing.map((out) => ({ from: alice, out }));
  const keys: Record<string, string> = {};
  const take = (m: M, r: GroupResult) => {
    m.state = r.state;
    for (const out of r.outgoing) queue.push({ from: m, out });
  };
  while (queue.length > 0) {
    const { from, out } = queue.shift()!;
    const to = all.find((m) => m.id === out.to)!;
    take(to, must(receiveGroupControl(to.state, { self: to.identity.publicKey, from: from.identity.publicKey, payload: out.payload, site: SITE, now: NOW, rng: to.rng })));
    if (to.state?.status === 'invited') {
      const acc = must(acceptGroup(to.state, to.rng));
      keys[to.name] = bytesToHex(acc.outgoing[0]!.payload);
      take(to, acc);
    }
  }
  const text = 'twenty chars, exact!';
  const m1 = must(encryptGroupMessage(alice.state!, text));
  alice.state = m1.state;
  bob.state = must(decryptGroupMessage(bob.state!, m1.wire, NOW)).state;
  const reply = must(encryptGroupMessage(bob.state!, 'ok'));
  const removal = must(removeMembers(alice.state!, [carol.identity.publicKey], alice.rng));
  const commitToBob = removal.outgoing.find((o) => o.to === bob.id)!;
  const rotated = removal.outgoing.filter((o) => o.to === bob.id)[1]!;
  const envelope = encodeGroupEnvelope({ to: memberTag(bob.identity.publicKey), from: memberTag(alice.identity.publicKey), inner: Uint8Array.of(0x11, ...new Uint8Array(32)) });
  const step = chainStep(new Uint8Array(32).fill(1));
  return {
    description: 'Veil group protocol v1 vectors; regenerate only on an intended format change',
    context: SITE,
    identities: { alice: alice.id, bob: bob.id, carol: carol.id },
    memberTags: { alice: bytesToHex(memberTag(alice.identity.publicKey)), bob: bytesToHex(memberTag(bob.identity.publicKey)) },
    chainStep: { chainKey: '01'.repeat(32), messageKey: bytesToHex(step.messageKey), nextChainKey: bytesToHex(step.chainKey) },
    creation: {
      groupId: created.state.groupId,
      transcriptEpoch0: created.state.transcript,
      welcomeToBob: toBob[0],
      aliceSenderKeyToBob: toBob[1],
      bobSenderKey: keys.bob,
      aliceKeyId: created.state.own!.keyId,
    },
    message20: {
      text,
      wire: bytesToHex(m1.wire),
      bytes: m1.wire.length,
      asciiChars: armor(m1.wire, 'ascii').length,
      denseChars: armor(m1.wire, 'dense').length,
    },
    replyWithReference: { text: 'ok', wire: bytesToHex(reply.wire) },
    removal: {
      commitToBob: bytesToHex(commitToBob.payload),
      aliceRotatedSenderKey: bytesToHex(rotated.payload),
      transcriptEpoch1: removal.state.transcript,
    },
    envelope: bytesToHex(envelope),
  };
}
