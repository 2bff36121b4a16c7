import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canEncrypt,
  createPrekeyBundle,
  encodeWireMessage,
  encryptMessage,
  newConversation,
  parseConversation,
  receive,
  serializeConversation,
  startFromPrekeyBundle,
  startKeyAgreement,
  type ConversationEvent,
} from '../../../lib/protocol/index.ts';
import { deliver, makePair, makeParty, snapshot, type Party } from './helpers.ts';

function start(p: Party): Uint8Array[] {
  const s = startKeyAgreement(p.state, p.identity, p.rng);
  if (!s.ok) throw new Error('start');
  p.state = s.value.state;
  return s.value.outgoing;
}

function send(p: Party, text: string): Uint8Array {
  const e = encryptMessage(p.state, text);
  if (!e.ok) throw new Error(`${p.name}: ${e.error.code}`);
  p.state = e.value.state;
  return e.value.wire;
}

function established(events: ConversationEvent[]) {
  return events.find((e) => e.type === 'session-established');
}

function texts(events: ConversationEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'message' ? [e.text] : []));
}

/** Full interactive handshake; returns [initiator events, responder events]. */
function handshake(a: Party, b: Party) {
  const m1 = start(a);
  const r1 = deliver(b, m1);
  const r2 = deliver(a, r1.outgoing);
  const r3 = deliver(b, r2.outgoing);
  const r4 = deliver(a, r3.outgoing);
  return { a: r4.events, b: r3.events, sizes: [m1[0]?.length, r1.outgoing[0]?.length, r2.outgoing[0]?.length, r3.outgoing[0]?.length] };
}

describe('conversation context', () => {
  it('validates the context', () => {
    const code = (ctx: Parameters<typeof newConversation>[0]) => {
      const r = newConversation(ctx);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code({ site: 's', conversationId: 'c', selfHandle: 'a', peerHandle: 'b' })).toBe('ok');
    expect(code({ site: '', conversationId: 'c', selfHandle: 'a', peerHandle: 'b' })).toBe('bad-context');
    expect(code({ site: 's', conversationId: 'c', selfHandle: 'a', peerHandle: 'a' })).toBe('bad-context');
    expect(code({ site: 's', conversationId: 'x'.repeat(2000), selfHandle: 'a', peerHandle: 'b' })).toBe('bad-context');
  });
});

describe('interactive key agreement', () => {
  it('runs 3 messages + automatic confirmation and agrees on SAS, safety number, session id', () => {
    const [a, b] = makePair('hs');
    const r = handshake(a, b);
    expect(r.sizes).toEqual([33, 73, 97, 56]);
    const ea = established(r.a);
    const eb = established(r.b);
    expect(ea && eb).toBeTruthy();
    if (ea?.type !== 'session-established' || eb?.type !== 'session-established') return;
    expect(ea.sessionId).toBe(eb.sessionId);
    expect(ea.sas?.text).toBe(eb.sas?.text);
    expect(ea.safetyNumber()).toBe(eb.safetyNumber());
    expect(ea.safetyNumber()).toMatch(/^\d{60}$/);
    expect(ea.peerIdentity).toEqual(b.identity.publicKey);
    expect(eb.peerIdentity).toEqual(a.identity.publicKey);
    expect(ea.role).toBe('initiator');
    expect(eb.role).toBe('responder');
    expect(texts(deliver(b, [send(a, 'hello bob')]).events)).toEqual(['hello bob']);
    expect(texts(deliver(a, [send(b, 'hello alice')]).events)).toEqual(['hello alice']);
  });

  it('initiator is not ready (no send) until the responder confirms', () => {
    const [a, b] = makePair('ready');
    const r1 = deliver(b, start(a));
    const r2 = deliver(a, r1.outgoing);
    expect(canEncrypt(a.state)).toBe(false);
    const e = encryptMessage(a.state, 'too early');
    expect(e.ok ? 'ok' : e.error.code).toBe('not-ready');
    const r3 = deliver(b, r2.outgoing);
    expect(a.state.session).toBeNull();
    deliver(a, r3.outgoing);
    expect(a.state.session?.confirmed).toBe(true);
    expect(canEncrypt(a.state)).toBe(true);
  });

  it('a lost confirmation is replaced by any later responder message', () => {
    const [a, b] = makePair('lostconfirm');
    const r1 = deliver(b, start(a));
    const r2 = deliver(a, r1.outgoing);
    deliver(b, r2.outgoing); // confirmation dropped
    const ev = deliver(a, [send(b, 'are you there')]).events;
    expect(established(ev)).toBeTruthy();
    expect(texts(ev)).toEqual(['are you there']);
  });

  it('fails key confirmation when the two sides disagree on context', () => {
    const a = makeParty('alice', 'bob', 'ctx-a');
    const b = makeParty('bob', 'mallory', 'ctx-b'); // wrong handle on one side
    const r1 = deliver(b, start(a));
    const r2 = deliver(a, r1.outgoing);
    const before = snapshot(b.state);
    const r = receive(b.state, { identity: b.identity, wire: r2.outgoing[0] as Uint8Array, now: 0, rng: b.rng });
    expect(r.ok ? 'ok' : r.error.code).toBe('key-confirmation-failed');
    expect(!r.ok && r.error.recovery).toBe('rekey');
    expect(snapshot(b.state)).toBe(before);
  });

  it('ignores own reflected commits and re-rendered old handshake messages', () => {
    const [a, b] = makePair('stale');
    const m1 = start(a);
    expect(deliver(a, m1).events).toEqual([{ type: 'ignored', reason: 'own-message' }]);
    const r1 = deliver(b, m1);
    const r2 = deliver(a, r1.outgoing);
    deliver(a, deliver(b, r2.outgoing).outgoing);
    expect(a.state.session?.id).toBe(b.state.session?.id);
    // Chat re-renders history: old reply / reveal / commit arrive again and change nothing.
    const aBefore = snapshot(a.state);
    expect(deliver(a, r1.outgoing).events).toEqual([{ type: 'ignored', reason: 'stale-handshake' }]);
    expect(snapshot(a.state)).toBe(aBefore);
    expect(deliver(b, r2.outgoing).events).toEqual([{ type: 'ignored', reason: 'stale-handshake' }]);
    const before = snapshot(b.state);
    expect(deliver(b, m1).events).toEqual([{ type: 'ignored', reason: 'stale-handshake' }]);
    expect(snapshot(b.state)).toBe(before);
  });

  it('rejects a reply or reveal that reflects our own identity key', () => {
    const [a, b] = makePair('reflect');
    const m1 = start(a);
    const r1 = deliver(b, m1);
    const reply = Uint8Array.from(r1.outgoing[0] as Uint8Array);
    reply.set(a.identity.publicKey, 1 + 8 + 32);
    const r = receive(a.state, { identity: a.identity, wire: reply, now: 0, rng: a.rng });
    expect(r.ok ? 'ok' : r.error.code).toBe('reflected-identity');
    const badKey = Uint8Array.from(r1.outgoing[0] as Uint8Array);
    badKey.fill(0, 9, 41); // low-order ephemeral
    const r2 = receive(a.state, { identity: a.identity, wire: badKey, now: 0, rng: a.rng });
    expect(r2.ok ? 'ok' : r2.error.code).toBe('bad-peer-key');
  });

  it('resolves simultaneous starts to one session on both sides', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (seed) => {
        const [a, b] = makePair(`sim-${seed}`);
        const ma = start(a);
        const mb = start(b);
        // Both commits cross in flight.
        const ra = deliver(a, mb);
        const rb = deliver(b, ma);
        const replies = [...ra.outgoing, ...rb.outgoing];
        expect(replies.length).toBe(1); // exactly one side became responder
        const [responder, initiator] = ra.outgoing.length === 1 ? [a, b] : [b, a];
        const r2 = deliver(initiator, replies);
        const r3 = deliver(responder, r2.outgoing);
        deliver(initiator, r3.outgoing);
        expect(a.state.session?.id).toBeDefined();
        expect(a.state.session?.id).toBe(b.state.session?.id);
        expect(texts(deliver(b, [send(a, 'x')]).events)).toEqual(['x']);
      }),
      { numRuns: 15 },
    );
  });

  it('re-keys on request and still decrypts messages in flight from the old session', () => {
    const [a, b] = makePair('rekey');
    handshake(a, b);
    const oldId = a.state.session?.id;
    const inFlight = send(b, 'sent before rekey');
    handshake(b, a); // b requests a re-key this time
    expect(a.state.session?.id).not.toBe(oldId);
    expect(a.state.session?.id).toBe(b.state.session?.id);
    expect(texts(deliver(a, [inFlight]).events)).toEqual(['sent before rekey']);
    expect(texts(deliver(b, [send(a, 'after')]).events)).toEqual(['after']);
  });

  it('keeps sending on the old session while a re-key is pending', () => {
    const [a, b] = makePair('pending');
    handshake(a, b);
    const r1 = deliver(b, start(a));
    deliver(a, r1.outgoing); // a now has a pending session
    expect(texts(deliver(b, [send(a, 'still works')]).events)).toEqual(['still works']);
  });

  it('classifies undecryptable, duplicate and own messages with recovery advice', () => {
    const [a, b] = makePair('classify');
    handshake(a, b);
    const w = send(a, 'once');
    deliver(b, [w]);
    const dup = receive(b.state, { identity: b.identity, wire: w, now: 0, rng: b.rng });
    expect(!dup.ok && [dup.error.code, dup.error.recovery]).toEqual(['duplicate', 'none']);
    const own = receive(a.state, { identity: a.identity, wire: w, now: 0, rng: a.rng });
    expect(!own.ok && [own.error.code, own.error.recovery]).toEqual(['own-message', 'none']);
    const forged = Uint8Array.from(send(a, 'forged'));
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    const before = snapshot(b.state);
    const bad = receive(b.state, { identity: b.identity, wire: forged, now: 0, rng: b.rng });
    expect(!bad.ok && bad.error.code).toBe('undecryptable');
    expect(!bad.ok && bad.error.recovery).toBe('rekey');
    expect(!bad.ok && bad.error.userNotice).toMatch(/could not be decrypted/);
    expect(snapshot(b.state)).toBe(before);
    const mal = receive(b.state, { identity: b.identity, wire: Uint8Array.of(0x14, 1), now: 0, rng: b.rng });
    expect(!mal.ok && [mal.error.code, mal.error.wireError?.code]).toEqual(['malformed', 'truncated']);
    const fresh = makeParty('carol', 'dave', 'fresh');
    const none = receive(fresh.state, { identity: fresh.identity, wire: w, now: 0, rng: fresh.rng });
    expect(!none.ok && [none.error.code, none.error.recovery]).toEqual(['no-session', 'rekey']);
    const noSend = encryptMessage(fresh.state, 'x');
    expect(noSend.ok ? 'ok' : noSend.error.code).toBe('no-session');
    const long = encryptMessage(a.state, 'x'.repeat(300_000));
    expect(long.ok ? 'ok' : long.error.code).toBe('too-long');
  });

  it('every failed receive leaves state exactly as before (random garbage and mutations)', () => {
    const [a, b] = makePair('unchanged');
    handshake(a, b);
    const valid = send(a, 'valid message');
    const before = snapshot(b.state);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.nat({ max: valid.length * 8 - 1 }).map((pos) => {
            const m = Uint8Array.from(valid);
            m[pos >> 3] = (m[pos >> 3] as number) ^ (1 << (pos & 7));
            return m;
          }),
        ),
        (input) => {
          const r = receive(b.state, { identity: b.identity, wire: input, now: 0, rng: b.rng });
          if (!r.ok) expect(snapshot(b.state)).toBe(before);
          expect(snapshot(b.state)).toBe(before); // input state never mutated
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('offline start (prekey bundle)', () => {
  function bundleFor(p: Party): Uint8Array {
    const r = createPrekeyBundle(p.state, p.identity, p.rng);
    p.state = r.state;
    return r.wire;
  }

  it('lets the peer send first, then converges to an ordinary session', () => {
    const [a, b] = makePair('offline');
    const bundle = bundleFor(b);
    const ev = deliver(a, [bundle]).events;
    expect(ev[0]?.type).toBe('prekey-bundle');
    const s = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: bundle, rng: a.rng });
    if (!s.ok) throw new Error(s.error.code);
    a.state = s.value.state;
    expect(s.value.info.sas).toBeNull(); // no SAS claimed for offline starts
    const w1 = send(a, 'first');
    const w2 = send(a, 'second');
    expect(w1[0]).toBe(0x16);
    const r2 = deliver(b, [w2]);
    expect(established(r2.events)).toBeTruthy();
    expect(texts(r2.events)).toEqual(['second']);
    expect(texts(deliver(b, [w1]).events)).toEqual(['first']);
    expect(texts(deliver(a, [send(b, 'reply')]).events)).toEqual(['reply']);
    expect(a.state.session?.awaitingPrekeyReply).toBe(false);
    expect(send(a, 'now plain')[0]).toBe(0x14);
    expect(a.state.session?.id).toBe(b.state.session?.id);
  });

  it('rejects replays of an offline-start message once its session is gone', () => {
    const [a, b] = makePair('pkreplay');
    const bundle = bundleFor(b);
    const s = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: bundle, rng: a.rng });
    if (!s.ok) throw new Error(s.error.code);
    a.state = s.value.state;
    const w = send(a, 'hi');
    deliver(b, [w]);
    const dup = receive(b.state, { identity: b.identity, wire: w, now: 0, rng: b.rng });
    expect(dup.ok ? 'ok' : dup.error.code).toBe('duplicate');
    // Sessions replaced twice by interactive re-keys: the ephemeral is still remembered.
    handshake(a, b);
    handshake(b, a);
    const rep = receive(b.state, { identity: b.identity, wire: w, now: 0, rng: b.rng });
    expect(rep.ok ? 'ok' : rep.error.code).toBe('replay');
  });

  it('simultaneous offline starts converge on one session', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (seed) => {
        const [a, b] = makePair(`simpk-${seed}`);
        const ba = bundleFor(a);
        const bb = bundleFor(b);
        const sa = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: bb, rng: a.rng });
        const sb = startFromPrekeyBundle(b.state, { identity: b.identity, bundle: ba, rng: b.rng });
        if (!sa.ok || !sb.ok) throw new Error('start');
        a.state = sa.value.state;
        b.state = sb.value.state;
        const wa = send(a, 'from a');
        const wb = send(b, 'from b');
        expect(texts(deliver(a, [wb]).events)).toEqual(['from b']);
        expect(texts(deliver(b, [wa]).events)).toEqual(['from a']);
        expect(a.state.session?.id).toBe(b.state.session?.id);
        expect(texts(deliver(b, [send(a, 'x')]).events)).toEqual(['x']);
        expect(texts(deliver(a, [send(b, 'y')]).events)).toEqual(['y']);
      }),
      { numRuns: 15 },
    );
  });

  it('returns typed errors for bad bundles and unknown prekeys', () => {
    const [a, b] = makePair('badbundle');
    const bundle = bundleFor(b);
    const forged = Uint8Array.from(bundle);
    forged[40] = (forged[40] as number) ^ 1; // prekey bit flipped: signature fails
    const r = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: forged, rng: a.rng });
    expect(!r.ok && [r.error.code, r.error.prekeyError?.code]).toEqual(['bad-prekey-bundle', 'bad-signature']);
    const rr = receive(a.state, { identity: a.identity, wire: forged, now: 0, rng: a.rng });
    expect(!rr.ok && rr.error.code).toBe('bad-prekey-bundle');
    const notBundle = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: encodeWireMessage({ type: 'commit', commit: new Uint8Array(32) }), rng: a.rng });
    expect(!notBundle.ok && notBundle.error.prekeyError?.code).toBe('not-a-bundle');
    const junk = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: Uint8Array.of(0x15), rng: a.rng });
    expect(!junk.ok && junk.error.prekeyError?.code).toBe('malformed');
    const own = startFromPrekeyBundle(b.state, { identity: b.identity, bundle: bundle, rng: b.rng });
    expect(!own.ok && own.error.code).toBe('reflected-identity');
    expect(deliver(b, [bundle]).events).toEqual([{ type: 'ignored', reason: 'own-message' }]);
    // A prekey message for a prekey the receiver no longer has.
    const s = startFromPrekeyBundle(a.state, { identity: a.identity, bundle: bundle, rng: a.rng });
    if (!s.ok) throw new Error('start');
    a.state = s.value.state;
    const w = send(a, 'x');
    const stranger = makeParty('bob', 'alice', 'stranger');
    const none = receive(stranger.state, { identity: stranger.identity, wire: w, now: 0, rng: stranger.rng });
    expect(!none.ok && none.error.code).toBe('no-session');
    bundleFor(stranger);
    const unknown = receive(stranger.state, { identity: stranger.identity, wire: w, now: 0, rng: stranger.rng });
    expect(!unknown.ok && unknown.error.code).toBe('undecryptable');
  });
});

describe('state persistence', () => {
  it('serializes to JSON and parses back to an equal, working state', () => {
    const [a, b] = makePair('persist');
    handshake(a, b);
    send(a, 'one');
    bundleFor2(b);
    const json = JSON.stringify(serializeConversation(b.state));
    const parsed = parseConversation(JSON.parse(json));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual(b.state);
    b.state = parsed.value;
    expect(texts(deliver(b, [send(a, 'two')]).events)).toEqual(['two']);
  });

  it('rejects invalid stored state with a typed error and a field path', () => {
    const [a, b] = makePair('persist-bad');
    handshake(a, b);
    const good = serializeConversation(b.state) as Record<string, unknown>;
    const code = (x: unknown) => {
      const r = parseConversation(x);
      return r.ok ? 'ok' : `${r.error.code}${r.error.path ? `:${r.error.path}` : ''}`;
    };
    expect(code(good)).toBe('ok');
    expect(code('nope')).toBe('not-an-object');
    expect(code({ ...good, v: 9 })).toBe('unsupported-version');
    expect(code({ ...good, ctx: null })).toBe('invalid-field:ctx');
    const session = good.session as Record<string, unknown>;
    expect(code({ ...good, session: { ...session, id: 'xyz' } })).toBe('invalid-field:session.id');
    const ratchet = session.ratchet as Record<string, unknown>;
    expect(code({ ...good, session: { ...session, ratchet: { ...ratchet, ns: -1 } } })).toBe('invalid-field:session.ratchet.ns');
    expect(code({ ...good, handshake: { stage: 'bogus' } })).toBe('invalid-field:handshake.stage');
    expect(code({ ...good, handledCommits: new Array(65).fill('00'.repeat(32)) })).toBe('invalid-field:handledCommits');
  });
});

function bundleFor2(p: Party): void {
  p.state = createPrekeyBundle(p.state, p.identity, p.rng).state;
}
