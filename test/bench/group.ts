/**
 * Group benchmark: group message encrypt / decrypt (p50 / p99 ms) and the armored size of a
 * 20-character message in a 3- and a 50-member group; the cost of handing out keys when a
 * 50-member group is created, each control payload encrypted on the real pairwise Double Ratchet
 * session of its member pair and wrapped in its envelope, and how many chat posts that takes at
 * Discord's 2000-character limit. Returns rows for bench/run.ts.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { armor } from '../../lib/armor/index.ts';
import {
  encryptGroupControl,
  generateIdentity,
  newConversation,
  receive,
  startKeyAgreement,
  type ConversationEvent,
  type ConversationState,
  type Identity,
} from '../../lib/protocol/index.ts';
import {
  acceptGroup,
  createGroup,
  decryptGroupMessage,
  encodeGroupEnvelope,
  encryptGroupMessage,
  memberTag,
  receiveGroupControl,
  type GroupOutgoing,
  type GroupResult,
  type GroupState,
} from '../../lib/group/index.ts';

type Row = Record<string, string | number>;
const SITE = { site: 'bench.example', conversationId: 'c' };
const LIMIT = 2000;
const round = (x: number) => Math.round(x * 1000) / 1000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

interface Member {
  identity: Identity;
  id: string;
  state: GroupState | null;
}

/** A group of n with every key delivered directly (no pairwise layer): for message costs. */
function groupOf(n: number): Member[] {
  const members: Member[] = Array.from({ length: n }, () => {
    const identity = generateIdentity();
    return { identity, id: bytesToHex(identity.publicKey), state: null };
  });
  const [owner, ...rest] = members as [Member, ...Member[]];
  const queue: Array<{ from: Member; out: GroupOutgoing }> = [];
  const take = (m: Member, r: GroupResult) => {
    m.state = r.state;
    for (const out of r.outgoing) queue.push({ from: m, out });
  };
  take(owner, must(createGroup({ site: SITE, self: { identity: owner.identity.publicKey, handle: null }, members: rest.map((m) => ({ identity: m.identity.publicKey, handle: null })) })));
  while (queue.length > 0) {
    const { from, out } = queue.shift()!;
    const to = members.find((m) => m.id === out.to)!;
    take(to, must(receiveGroupControl(to.state, { self: to.identity.publicKey, from: from.identity.publicKey, payload: out.payload, site: SITE, now: 0 })));
    if (to.state?.status === 'invited') take(to, must(acceptGroup(to.state)));
  }
  return members;
}

function messageRows(n: number): Row[] {
  const g = groupOf(n);
  const [a, b] = g as [Member, Member];
  const RUNS = 200;
  const text = 'x'.repeat(20);
  const enc: number[] = [];
  const dec: number[] = [];
  const wires: Uint8Array[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const e = must(encryptGroupMessage(a.state!, text));
    enc.push(performance.now() - t);
    a.state = e.state;
    wires.push(e.wire);
  }
  for (const w of wires) {
    const t = performance.now();
    b.state = must(decryptGroupMessage(b.state!, w, 0)).state;
    dec.push(performance.now() - t);
  }
  // Size on a fresh chain with a reference (as in a running conversation): index < 128.
  const fresh = groupOf(3);
  const [x, y] = fresh as [Member, Member];
  y.state = must(decryptGroupMessage(y.state!, must(encryptGroupMessage(x.state!, 'hi')).wire, 0)).state;
  const sized = must(encryptGroupMessage(y.state!, text)).wire;
  return [
    { bench: 'group', case: `${n} members: encrypt 20 chars`, runs: RUNS, p50_ms: percentile(enc, 50), p99_ms: percentile(enc, 99) },
    { bench: 'group', case: `${n} members: decrypt 20 chars`, runs: RUNS, p50_ms: percentile(dec, 50), p99_ms: percentile(dec, 99) },
    {
      bench: 'group',
      case: `${n} members: size of a 20-character message`,
      wire_bytes: sized.length,
      ascii_chars: armor(sized, 'ascii').length,
      dense_chars: armor(sized, 'dense').length,
    },
  ];
}

// ──────────────────────────────────────────────────────────── creation of a 50-member group

interface Pair {
  state: ConversationState;
}

interface Node {
  identity: Identity;
  id: string;
  tag: Uint8Array;
  group: GroupState | null;
  /** Pairwise conversation with each other member, by member id. */
  pairs: Map<string, Pair>;
  /** Armored envelopes this member posts. */
  posted: string[];
}

function mesh(n: number): { nodes: Node[]; ms: number } {
  const nodes: Node[] = Array.from({ length: n }, () => {
    const identity = generateIdentity();
    return { identity, id: bytesToHex(identity.publicKey), tag: memberTag(identity.publicKey), group: null, pairs: new Map(), posted: [] };
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = nodes[i]!;
      const y = nodes[j]!;
      const cx = must(newConversation({ ...SITE, selfHandle: x.id, peerHandle: y.id }));
      const cy = must(newConversation({ ...SITE, selfHandle: y.id, peerHandle: x.id }));
      const s = must(startKeyAgreement(cx, x.identity));
      const r1 = must(receive(cy, { identity: y.identity, wire: s.outgoing[0]!, now: 0 }));
      const r2 = must(receive(s.state, { identity: x.identity, wire: r1.outgoing[0]!, now: 0 }));
      const r3 = must(receive(r1.state, { identity: y.identity, wire: r2.outgoing[0]!, now: 0 }));
      const r4 = must(receive(r2.state, { identity: x.identity, wire: r3.outgoing[0]!, now: 0 }));
      x.pairs.set(y.id, { state: r4.state });
      y.pairs.set(x.id, { state: r3.state });
    }
  }
  return { nodes, ms: performance.now() - t0 };
}

/** Encrypts each control payload on its pairwise session and posts the armored envelope. */
function post(from: Node, out: readonly GroupOutgoing[], byId: Map<string, Node>, inbox: Array<{ to: Node; from: Node; wire: Uint8Array }>): void {
  for (const o of out) {
    const to = byId.get(o.to)!;
    const pair = from.pairs.get(o.to)!;
    const enc = must(encryptGroupControl(pair.state, o.payload));
    pair.state = enc.state;
    from.posted.push(armor(encodeGroupEnvelope({ to: to.tag, from: from.tag, inner: enc.wire }), 'dense'));
    inbox.push({ to, from, wire: enc.wire });
  }
}

/** Chat posts needed when blocks are packed into posts of at most LIMIT characters (one space between). */
function posts(blocks: string[]): number {
  let count = 0;
  let used = LIMIT + 1;
  for (const b of blocks) {
    if (used + 1 + b.length > LIMIT) {
      count++;
      used = b.length;
    } else used += 1 + b.length;
  }
  return count;
}

function creationRows(n: number): Row[] {
  const { nodes, ms: meshMs } = mesh(n);
  const byId = new Map(nodes.map((x) => [x.id, x]));
  const [owner, ...rest] = nodes as [Node, ...Node[]];
  const inbox: Array<{ to: Node; from: Node; wire: Uint8Array }> = [];
  const spent = new Map<Node, number>(nodes.map((x) => [x, 0]));
  const timed = <T>(who: Node, fn: () => T): T => {
    const t = performance.now();
    const v = fn();
    spent.set(who, spent.get(who)! + performance.now() - t);
    return v;
  };
  timed(owner, () => {
    const created = must(createGroup({ site: SITE, self: { identity: owner.identity.publicKey, handle: null }, members: rest.map((m) => ({ identity: m.identity.publicKey, handle: null })) }));
    owner.group = created.state;
    post(owner, created.outgoing, byId, inbox);
  });
  const ownerMs = spent.get(owner)!;
  const ownerBlocks = [...owner.posted];
  while (inbox.length > 0) {
    const { to, from, wire } = inbox.shift()!;
    timed(to, () => {
      const pair = to.pairs.get(from.id)!;
      const r = must(receive(pair.state, { identity: to.identity, wire, now: 0 }));
      pair.state = r.state;
      const ev = r.events.find((e): e is Extract<ConversationEvent, { type: 'group-control' }> => e.type === 'group-control')!;
      const g = must(receiveGroupControl(to.group, { self: to.identity.publicKey, from: ev.peerIdentity, payload: ev.payload, site: SITE, now: 0 }));
      to.group = g.state;
      post(to, g.outgoing, byId, inbox);
      if (to.group.status === 'invited') {
        const acc = must(acceptGroup(to.group));
        to.group = acc.state;
        post(to, acc.outgoing, byId, inbox);
      }
    });
  }
  for (const x of nodes) if (x.group?.status !== 'active' || x.group.chains.length !== n - 1) throw new Error('creation incomplete');
  const memberMs = rest.map((x) => spent.get(x)!);
  const totalMs = [...spent.values()].reduce((s, v) => s + v, 0);
  const allBlocks = nodes.flatMap((x) => x.posted);
  const chars = allBlocks.reduce((s, b) => s + b.length, 0);
  return [
    { bench: 'group', case: `${n} members: pairwise mesh set-up (${(n * (n - 1)) / 2} key agreements, not in the rows below)`, total_ms: round(meshMs) },
    {
      bench: 'group',
      case: `${n} members: owner creates (welcome + sender key to ${n - 1}, pairwise-encrypted)`,
      total_ms: round(ownerMs),
      envelopes: ownerBlocks.length,
      dense_chars: ownerBlocks.reduce((s, b) => s + b.length, 0),
      posts_at_2000: posts(ownerBlocks),
    },
    {
      bench: 'group',
      case: `${n} members: one member receives, accepts, hands out its key, reads ${n - 1} keys`,
      p50_ms: percentile(memberMs, 50),
      p99_ms: percentile(memberMs, 99),
      envelopes: rest[0]!.posted.length,
      posts_at_2000: posts(rest[0]!.posted),
    },
    { bench: 'group', case: `${n} members: whole creation, all members`, total_ms: round(totalMs), envelopes: allBlocks.length, dense_chars: chars, posts_at_2000: nodes.reduce((s, x) => s + posts(x.posted), 0) },
  ];
}

export async function runGroupBench(): Promise<Row[]> {
  return [...messageRows(3), ...messageRows(50), ...creationRows(50)];
}
