// Fuzz targets for the group decoders, the stored-state parser and the group state machine. Each
// `run` feeds the mutated input to code that must answer with typed errors: an exception that
// escapes is a bug the runner counts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { generateIdentity, type Identity, type Rng } from '../../lib/protocol/index.ts';
import {
  acceptGroup,
  createGroup,
  decodeControl,
  decodeGroupEnvelope,
  decodeGroupMessage,
  decryptGroupMessage,
  encodeGroupEnvelope,
  encryptGroupMessage,
  memberTag,
  parseGroup,
  receiveGroupControl,
  removeMembers,
  serializeGroup,
  type GroupOutgoing,
  type GroupState,
} from '../../lib/group/index.ts';

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

const SITE = { site: 's.example', conversationId: 'c' };

interface World {
  control: Uint8Array[];
  messages: Uint8Array[];
  envelopes: Uint8Array[];
  states: string[];
  /** Receivers in interesting states: invited, active member, owner. */
  receivers: Array<{ state: GroupState | null; self: Identity; from: Identity }>;
}

let world: World | null = null;

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(`fuzz setup failed: ${r.error.code}`);
  return r.value;
}

/** A small deterministic group: created, accepted, messages, a removal. */
function getWorld(): World {
  if (world) return world;
  const rng = drbg('veil-group-fuzz');
  const [a, b, c] = [generateIdentity(rng), generateIdentity(rng), generateIdentity(rng)];
  const hex = (i: Identity) => bytesToHex(i.publicKey);
  const created = must(createGroup({ site: SITE, self: { identity: a.publicKey, handle: 'a' }, members: [b, c].map((i) => ({ identity: i.publicKey, handle: null })), rng }));
  const control: Uint8Array[] = created.outgoing.map((o) => o.payload);
  let as = created.state;
  let bs: GroupState | null = null;
  for (const o of created.outgoing.filter((x) => x.to === hex(b))) bs = must(receiveGroupControl(bs, { self: b.publicKey, from: a.publicKey, payload: o.payload, site: SITE, now: 0, rng: rng })).state;
  const invited = bs as GroupState;
  const acc = must(acceptGroup(invited, rng));
  bs = acc.state;
  control.push(...acc.outgoing.map((o: GroupOutgoing) => o.payload));
  for (const o of acc.outgoing.filter((x) => x.to === hex(a))) as = must(receiveGroupControl(as, { self: a.publicKey, from: b.publicKey, payload: o.payload, site: SITE, now: 0, rng: rng })).state;
  const m1 = must(encryptGroupMessage(as, 'hello fuzz'));
  as = m1.state;
  bs = must(decryptGroupMessage(bs, m1.wire, 0)).state;
  const m2 = must(encryptGroupMessage(bs, 'reply'));
  const removal = must(removeMembers(as, [c.publicKey], rng));
  control.push(...removal.outgoing.map((o) => o.payload));
  world = {
    control,
    messages: [m1.wire, m2.wire],
    envelopes: [encodeGroupEnvelope({ to: memberTag(b.publicKey), from: memberTag(a.publicKey), inner: m1.wire })],
    states: [invited, bs, as, removal.state].map((s) => JSON.stringify(serializeGroup(s))),
    receivers: [
      { state: null, self: b, from: a },
      { state: invited, self: b, from: a },
      { state: bs, self: b, from: a },
      { state: as, self: a, from: b },
    ],
  };
  return world;
}

const text = new TextDecoder();

function parseJsonLoosely(input: Uint8Array): unknown {
  try {
    return JSON.parse(text.decode(input)) as unknown;
  } catch {
    return undefined;
  }
}

export const targets: FuzzTarget[] = [
  {
    name: 'group/decodeControl',
    seeds: () => getWorld().control,
    run: (input) => {
      decodeControl(input);
    },
  },
  {
    name: 'group/decodeGroupMessage',
    seeds: () => getWorld().messages,
    run: (input) => {
      decodeGroupMessage(input);
      decodeGroupEnvelope(input);
    },
  },
  {
    name: 'group/receiveGroupControl',
    seeds: () => getWorld().control,
    run: (input) => {
      for (const r of getWorld().receivers) receiveGroupControl(r.state, { self: r.self.publicKey, from: r.from.publicKey, payload: input, site: SITE, now: 0 });
    },
  },
  {
    name: 'group/decryptGroupMessage',
    seeds: () => getWorld().messages,
    run: (input) => {
      for (const r of getWorld().receivers) if (r.state) decryptGroupMessage(r.state, input, 0);
    },
  },
  {
    name: 'group/parseGroup',
    seeds: () => getWorld().states.map((s) => utf8ToBytes(s)),
    run: (input) => {
      parseGroup(parseJsonLoosely(input));
    },
  },
];
