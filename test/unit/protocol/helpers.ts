// Shared test helpers: deterministic RNG and two-party setup.
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  generateIdentity,
  newConversation,
  receive,
  type ConversationEvent,
  type ConversationState,
  type Identity,
  type Rng,
} from '../../../lib/protocol/index.ts';

/** Deterministic RNG: SHA-256(seed || counter) blocks. Test-only. */
export function seededRng(seed: string): Rng {
  let counter = 0;
  const seedBytes = utf8ToBytes(seed);
  return (n: number) => {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const block = sha256(concatBytes(seedBytes, Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter)));
      counter++;
      out.set(block.subarray(0, Math.min(32, n - off)), off);
      off += 32;
    }
    return out;
  };
}

export interface Party {
  name: string;
  identity: Identity;
  state: ConversationState;
  rng: Rng;
}

export function makeParty(name: string, peer: string, seed = name): Party {
  const rng = seededRng(seed);
  const c = newConversation({ site: 'chat.example', conversationId: 'room-1', selfHandle: name, peerHandle: peer });
  if (!c.ok) throw new Error(c.error.message);
  return { name, identity: generateIdentity(rng), state: c.value, rng };
}

export function makePair(seed = 'pair'): [Party, Party] {
  return [makeParty('alice', 'bob', `${seed}-a`), makeParty('bob', 'alice', `${seed}-b`)];
}

/** Delivers wire messages to `to`, returning all outgoing replies and events; throws on error. */
export function deliver(to: Party, wires: Uint8Array[], now = 1000): { outgoing: Uint8Array[]; events: ConversationEvent[] } {
  const outgoing: Uint8Array[] = [];
  const events: ConversationEvent[] = [];
  for (const w of wires) {
    const r = receive(to.state, { identity: to.identity, wire: w, now: now, rng: to.rng });
    if (!r.ok) throw new Error(`${to.name}: ${r.error.code}: ${r.error.message}`);
    to.state = r.value.state;
    outgoing.push(...r.value.outgoing);
    events.push(...r.value.events);
  }
  return { outgoing, events };
}

export function snapshot(state: ConversationState): string {
  return JSON.stringify(state);
}
