// Deterministic protocol test vectors. Everything random comes from a SHA-256 counter DRBG seeded
// with a fixed string, so re-running yields byte-identical output; any change to the wire format,
// KDF labels or key schedule changes these vectors and fails test/unit/protocol/vectors.test.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  createPrekeyBundle,
  deriveCallKeys,
  encryptMessage,
  generateIdentity,
  newConversation,
  receive,
  startFromPrekeyBundle,
  startKeyAgreement,
  type ConversationState,
  type Identity,
  type Rng,
} from '../../lib/protocol/index.ts';

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

interface P {
  identity: Identity;
  state: ConversationState;
  rng: Rng;
}

function party(self: string, peer: string, seed: string): P {
  const rng = drbg(seed);
  const c = newConversation({ site: 'chat.example', conversationId: 'room-42', selfHandle: self, peerHandle: peer });
  if (!c.ok) throw new Error('ctx');
  return { identity: generateIdentity(rng), state: c.value, rng };
}

function recv(p: P, wire: Uint8Array) {
  const r = receive(p.state, { identity: p.identity, wire: wire, now: 1_700_000_000_000, rng: p.rng });
  if (!r.ok) throw new Error(r.error.code);
  p.state = r.value.state;
  return r.value;
}

function send(p: P, text: string): Uint8Array {
  const e = encryptMessage(p.state, text);
  if (!e.ok) throw new Error(e.error.code);
  p.state = e.value.state;
  return e.value.wire;
}

export function buildVectors(): Record<string, unknown> {
  const a = party('alice', 'bob', 'veil-vector-alice');
  const b = party('bob', 'alice', 'veil-vector-bob');
  const s = startKeyAgreement(a.state, a.identity, a.rng);
  if (!s.ok) throw new Error('start');
  a.state = s.value.state;
  const msg1 = s.value.outgoing[0] as Uint8Array;
  const msg2 = recv(b, msg1).outgoing[0] as Uint8Array;
  const msg3 = recv(a, msg2).outgoing[0] as Uint8Array;
  const r3 = recv(b, msg3);
  const confirm = r3.outgoing[0] as Uint8Array;
  const ev = recv(a, confirm).events.find((e) => e.type === 'session-established');
  if (ev?.type !== 'session-established') throw new Error('no session');
  const m20 = send(a, 'twenty chars, exact!');
  const m1 = send(b, 'x');
  const call = deriveCallKeys(a.state, 'call-1');
  if (!call.ok) throw new Error('call');

  const c = party('carol', 'dave', 'veil-vector-carol');
  const d = party('dave', 'carol', 'veil-vector-dave');
  const bundle = createPrekeyBundle(d.state, d.identity, d.rng);
  d.state = bundle.state;
  const st = startFromPrekeyBundle(c.state, { identity: c.identity, bundle: bundle.wire, rng: c.rng });
  if (!st.ok) throw new Error('bundle');
  c.state = st.value.state;
  const pkMsg = send(c, 'offline hello');
  recv(d, pkMsg);

  const hex = bytesToHex;
  return {
    description: 'Veil protocol v1 vectors; regenerate only on an intended wire-format change',
    context: { site: 'chat.example', conversationId: 'room-42' },
    interactive: {
      aliceIdentity: hex(a.identity.publicKey),
      bobIdentity: hex(b.identity.publicKey),
      msg1Commit: hex(msg1),
      msg2Reply: hex(msg2),
      msg3Reveal: hex(msg3),
      responderConfirm: hex(confirm),
      sessionId: ev.sessionId,
      sas: ev.sas?.symbols.map((x) => x.name),
      safetyNumber: ev.safetyNumber(),
      aliceMessage20: { text: 'twenty chars, exact!', wire: hex(m20), bytes: m20.length },
      bobMessage1: { text: 'x', wire: hex(m1), bytes: m1.length },
      mediaKeys: {
        callId: 'call-1',
        aliceSendEpoch0: hex(call.value.send(0)),
        aliceSendEpoch1: hex(call.value.send(1)),
        aliceRecvEpoch0: hex(call.value.recv(0)),
      },
    },
    offline: {
      carolIdentity: hex(c.identity.publicKey),
      daveIdentity: hex(d.identity.publicKey),
      bundle: hex(bundle.wire),
      prekeyMessage: { text: 'offline hello', wire: hex(pkMsg) },
      sessionId: st.value.info.sessionId,
    },
  };
}
