// Fuzz targets for the protocol decoders and the conversation state machine. Each `run` feeds the
// mutated input straight to a decoder; decoders must return typed errors, so any exception that
// escapes is a bug the runner counts.
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  createPrekeyBundle,
  decodeWireMessage,
  encryptMessage,
  generateIdentity,
  newConversation,
  parseConversation,
  parseIdentity,
  parsePrekeyBundle,
  receive,
  serializeConversation,
  startFromPrekeyBundle,
  startKeyAgreement,
  unpad,
  type ConversationState,
  type Identity,
  type Rng,
} from '../../lib/protocol/index.ts';

export interface FuzzTarget {
  name: string;
  seeds: () => Uint8Array[];
  run: (input: Uint8Array) => void;
}

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

interface World {
  seeds: Uint8Array[];
  /** Receivers in interesting states: fresh, awaiting reply, awaiting reveal, established, offline. */
  receivers: Array<{ state: ConversationState; identity: Identity }>;
}

let world: World | null = null;

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(`fuzz setup failed: ${r.error.code}`);
  return r.value;
}

/** Builds a small deterministic world once: a full handshake, messages, a bundle, an offline start. */
function getWorld(): World {
  if (world) return world;
  const rng = drbg('veil-fuzz');
  const ctx = (self: string, peer: string) => must(newConversation({ site: 's.example', conversationId: 'c', selfHandle: self, peerHandle: peer }));
  const ai = generateIdentity(rng);
  const bi = generateIdentity(rng);
  let a = ctx('a', 'b');
  let b = ctx('b', 'a');
  const fresh = b;
  const s = must(startKeyAgreement(a, ai, rng));
  a = s.state;
  const awaitingReply = a;
  const msg1 = s.outgoing[0] as Uint8Array;
  const r1 = must(receive(b, { identity: bi, wire: msg1, now: 0, rng: rng }));
  b = r1.state;
  const awaitingReveal = b;
  const msg2 = r1.outgoing[0] as Uint8Array;
  const r2 = must(receive(a, { identity: ai, wire: msg2, now: 0, rng: rng }));
  a = r2.state;
  const msg3 = r2.outgoing[0] as Uint8Array;
  const r3 = must(receive(b, { identity: bi, wire: msg3, now: 0, rng: rng }));
  b = r3.state;
  const confirm = r3.outgoing[0] as Uint8Array;
  a = must(receive(a, { identity: ai, wire: confirm, now: 0, rng: rng })).state;
  const e1 = must(encryptMessage(a, 'hello fuzz'));
  a = e1.state;
  const bundle = createPrekeyBundle(b, bi, rng);
  b = bundle.state;
  const off = must(startFromPrekeyBundle(ctx('a', 'b'), { identity: ai, bundle: bundle.wire, rng: rng }));
  const pk = must(encryptMessage(off.state, 'offline'));
  world = {
    seeds: [msg1, msg2, msg3, confirm, e1.wire, bundle.wire, pk.wire],
    receivers: [
      { state: fresh, identity: bi },
      { state: awaitingReply, identity: ai },
      { state: awaitingReveal, identity: bi },
      { state: b, identity: bi },
    ],
  };
  return world;
}

const fuzzRng = drbg('veil-fuzz-run');
const text = new TextDecoder();

function parseJsonLoosely(input: Uint8Array): unknown {
  try {
    return JSON.parse(text.decode(input)) as unknown;
  } catch {
    return undefined; // not JSON: the parser still gets `undefined`
  }
}

export const targets: FuzzTarget[] = [
  {
    name: 'protocol/decodeWireMessage',
    seeds: () => getWorld().seeds,
    run: (input) => {
      decodeWireMessage(input);
    },
  },
  {
    name: 'protocol/receive',
    seeds: () => getWorld().seeds,
    run: (input) => {
      for (const r of getWorld().receivers) receive(r.state, { identity: r.identity, wire: input, now: 0, rng: fuzzRng });
    },
  },
  {
    name: 'protocol/parsePrekeyBundle',
    seeds: () => [getWorld().seeds[5] as Uint8Array],
    run: (input) => {
      parsePrekeyBundle(input);
    },
  },
  {
    name: 'protocol/unpad',
    seeds: () => [Uint8Array.of(0x68, 0x69, 0x80, 0, 0), new Uint8Array(13).fill(0x80)],
    run: (input) => {
      unpad(input);
    },
  },
  {
    name: 'protocol/parseConversation',
    seeds: () => {
      const w = getWorld();
      return w.receivers.map((r) => utf8ToBytes(JSON.stringify(serializeConversation(r.state))));
    },
    run: (input) => {
      parseConversation(parseJsonLoosely(input));
    },
  },
  {
    name: 'protocol/parseIdentity',
    seeds: () => [utf8ToBytes(JSON.stringify({ v: 1, kind: 'veil-identity', secretKey: '00'.repeat(32), publicKey: '00'.repeat(32) }))],
    run: (input) => {
      parseIdentity(parseJsonLoosely(input));
    },
  },
];
