import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  GROUP_LABELS,
  decodeControl,
  decodeGroupEnvelope,
  decodeGroupMessage,
  encodeControl,
  encodeGroupEnvelope,
  memberForTag,
  memberTag,
  pairwiseToStart,
  parseGroup,
  rosterKeyMatches,
  serializeGroup,
  shouldAutoAnswer,
  startsPairwise,
  type ControlPayload,
} from '../../../lib/group/index.ts';
import { LABELS, decodeWireMessage, wireKind } from '../../../lib/protocol/index.ts';
import { SITE, formGroup, makeMembers, read, send, type Sim } from './sim.ts';

const gid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const key = (b: number) => new Uint8Array(32).fill(b);

describe('control payload codec', () => {
  const samples: ControlPayload[] = [
    { kind: 'sender-key', groupId: gid, owner: key(1), chainEpoch: 3, signPublic: key(2), chainKey: key(3), index: 300, proof: new Uint8Array(64).fill(9) },
    { kind: 'key-request', groupId: gid, epoch: 0 },
    { kind: 'leave', groupId: gid, epoch: 129 },
    { kind: 'commit', groupId: gid, epoch: 2, parentTranscript: key(4), ops: [{ op: 'add', identity: bytesToHex(key(5)), handle: 'dave' }, { op: 'remove', identity: bytesToHex(key(6)) }] },
    {
      kind: 'welcome',
      groupId: gid,
      site: 's',
      conversationId: 'c',
      owner: key(7),
      epoch: 1,
      previousTranscript: key(8),
      lastRemovalEpoch: 1,
      members: [{ identity: bytesToHex(key(7)), handle: null }, { identity: bytesToHex(key(9)), handle: 'ünï' }],
    },
  ];

  it('round-trips every kind and rejects every truncation and extension', () => {
    for (const p of samples) {
      const bytes = encodeControl(p);
      const d = decodeControl(bytes);
      expect(d.ok && d.value).toEqual(p);
      for (let n = 0; n < bytes.length; n++) expect(decodeControl(bytes.slice(0, n)).ok).toBe(false);
      expect(decodeControl(Uint8Array.from([...bytes, 0])).ok).toBe(false);
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        decodeControl(b);
        decodeGroupMessage(b);
        decodeGroupEnvelope(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses non-canonical varints, unknown kinds and versions, bad handle flags', () => {
    expect(decodeControl(Uint8Array.of(0x14, ...gid, 0x80, 0x00)).ok).toBe(false);
    expect(decodeControl(Uint8Array.of(0x19, ...gid, 0)).ok).toBe(false);
    expect(decodeControl(Uint8Array.of(0x24, ...gid, 0)).ok).toBe(false);
    const commit = encodeControl(samples[3]!);
    const bad = Uint8Array.from(commit);
    bad[1 + 8 + 1 + 32 + 1 + 1 + 32] = 7; // handle flag of the add op
    expect(decodeControl(bad).ok).toBe(false);
  });
});

describe('group wire types', () => {
  it('group messages are routed by their first byte and refused by the pairwise decoder', () => {
    const [a] = formGroup(['alice', 'bob']) as [Sim, Sim];
    const wire = send(a, 'hi');
    expect(wire[0]).toBe(0x17);
    expect(wireKind(wire)).toBe('group-message');
    const d = decodeWireMessage(wire);
    expect(!d.ok && d.error.code).toBe('group-type');
    const env = encodeGroupEnvelope({ to: memberTag(key(1)), from: memberTag(key(2)), inner: Uint8Array.of(0x11, 1, 2) });
    expect(env[0]).toBe(0x18);
    expect(wireKind(env)).toBe('group-envelope');
    const e = decodeGroupEnvelope(env);
    expect(e.ok && Array.from(e.value.inner)).toEqual([0x11, 1, 2]);
    expect(decodeGroupEnvelope(env.slice(0, 17)).ok).toBe(false);
    expect(wireKind(Uint8Array.of(0x14))).toBe('pairwise');
    expect(wireKind(Uint8Array.of(0x1f))).toBeNull();
  });

  it('every label is distinct from every pairwise label', () => {
    const all = [...Object.values(LABELS), ...Object.values(GROUP_LABELS)];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('stored state', () => {
  it('round-trips through JSON and is parsed as hostile input', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b] = w as [Sim, Sim];
    read(b, send(a, 'one'));
    send(a, 'lost');
    read(b, send(a, 'three'));
    const stored = JSON.parse(JSON.stringify(serializeGroup(b.state!))) as Record<string, unknown>;
    const parsed = parseGroup(stored);
    expect(parsed.ok && parsed.value).toEqual(b.state);
    const broken: Array<[string, unknown]> = [
      ['v', 2],
      ['status', 'boss'],
      ['epoch', -1],
      ['joinedAt', 5],
      ['groupId', 'zz'],
      ['members', []],
      ['chains', [{ ...(b.state!.chains[0] as object), next: 0, firstIndex: 1 }]],
      ['own', { ...(b.state!.own as object), chainKey: '00' }],
      ['pending', [{ from: a.id, payload: 'abc', at: 0 }]],
      ['site', ''],
    ];
    for (const [field, value] of broken) expect(parseGroup({ ...stored, [field]: value }).ok, field).toBe(false);
    expect(parseGroup(null).ok).toBe(false);
    expect(parseGroup([]).ok).toBe(false);
  });

  it('never throws on mutated state', () => {
    const [, b] = formGroup(['alice', 'bob']) as [Sim, Sim];
    const base = serializeGroup(b.state!) as Record<string, unknown>;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (k, v) => {
        const r = parseGroup({ ...base, [k]: v });
        if (r.ok) expect(r.value).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });
});

describe('auto-answer hook', () => {
  it('answers only accepted groups, in their own conversation, for envelopes to us from members', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const [eve] = makeMembers(['eve']);
    const env = { to: memberTag(b.identity.publicKey), from: memberTag(a.identity.publicKey) };
    expect(shouldAutoAnswer(b.state!, SITE, env)).toBe(true);
    expect(shouldAutoAnswer(b.state!, { ...SITE, conversationId: 'elsewhere' }, env)).toBe(false);
    expect(shouldAutoAnswer(b.state!, SITE, { ...env, to: memberTag(c.identity.publicKey) })).toBe(false);
    expect(shouldAutoAnswer(b.state!, SITE, { ...env, from: memberTag(eve!.identity.publicKey) })).toBe(false);
    expect(shouldAutoAnswer({ ...b.state!, status: 'invited', own: null }, SITE, env)).toBe(false);
    expect(memberForTag(b.state!, env.from)).toBe(a.id);
    expect(rosterKeyMatches(b.state!, env.from, a.identity.publicKey)).toBe(true);
    expect(rosterKeyMatches(b.state!, env.from, eve!.identity.publicKey)).toBe(false);
  });

  it('exactly one member of each pair starts the pairwise session', () => {
    const w = formGroup(['alice', 'bob', 'carol', 'dave']);
    const starts = w.map((m) => pairwiseToStart(m.state!, () => false));
    const pairs = starts.flatMap((list, i) => list.map((peer) => [w[i]!.id, peer].sort().join()));
    expect(pairs.length).toBe(6);
    expect(new Set(pairs).size).toBe(6);
    expect(startsPairwise(w[0]!.identity.publicKey, w[1]!.identity.publicKey)).not.toBe(startsPairwise(w[1]!.identity.publicKey, w[0]!.identity.publicKey));
  });
});
