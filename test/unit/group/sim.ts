// A group of members for tests: each member's group state, and a control "post office" that
// delivers control payloads as the pairwise sessions would (authenticated `from`), in order or
// not. Messages are delivered by the tests themselves.
import { bytesToHex } from '@noble/hashes/utils.js';
import { generateIdentity, type Identity, type Rng } from '../../../lib/protocol/index.ts';
import {
  acceptGroup,
  createGroup,
  decryptGroupMessage,
  encryptGroupMessage,
  receiveGroupControl,
  type GroupError,
  type GroupEvent,
  type GroupOutgoing,
  type GroupResult,
  type GroupState,
} from '../../../lib/group/index.ts';
import { seededRng } from '../protocol/helpers.ts';

export const SITE = { site: 'chat.example', conversationId: 'room-7' };
export const NOW = 1_700_000_000_000;

export interface Sim {
  name: string;
  identity: Identity;
  id: string;
  rng: Rng;
  state: GroupState | null;
  events: GroupEvent[];
}

export interface Parcel {
  from: string;
  to: string;
  payload: Uint8Array;
}

export function makeMembers(names: string[], seed = 'group'): Sim[] {
  return names.map((name) => {
    const rng = seededRng(`${seed}-${name}`);
    const identity = generateIdentity(rng);
    return { name, identity, id: bytesToHex(identity.publicKey), rng, state: null, events: [] };
  });
}

export function must<T>(r: { ok: true; value: T } | { ok: false; error: GroupError }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export function parcels(from: Sim, out: readonly GroupOutgoing[]): Parcel[] {
  return out.map((o) => ({ from: from.id, to: o.to, payload: o.payload }));
}

export function byId(world: Sim[], id: string): Sim {
  const m = world.find((w) => w.id === id);
  if (!m) throw new Error(`no member ${id}`);
  return m;
}

/** Applies one result to a member and returns what it sends. */
export function apply(m: Sim, r: GroupResult): Parcel[] {
  m.state = r.state;
  m.events.push(...r.events);
  return parcels(m, r.outgoing);
}

/** Delivers one parcel; returns the recipient's own outgoing parcels (throws on unexpected errors). */
export function deliverParcel(world: Sim[], p: Parcel, now = NOW): { out: Parcel[]; error: GroupError | null } {
  const to = byId(world, p.to);
  const r = receiveGroupControl(to.state, { self: to.identity.publicKey, from: byId(world, p.from).identity.publicKey, payload: p.payload, site: SITE, now: now, rng: to.rng });
  if (!r.ok) return { out: [], error: r.error };
  return { out: apply(to, r.value), error: null };
}

/**
 * Delivers parcels until none are left, FIFO. `accept` decides who accepts an invitation at once.
 * Payloads that arrive before the welcome are held (recovery 'hold') and retried after it.
 */
export function pump(world: Sim[], queue: Parcel[], accept: (m: Sim) => boolean = () => true, now = NOW): GroupError[] {
  const errors: GroupError[] = [];
  const held: Parcel[] = [];
  let guard = 0;
  while (queue.length > 0) {
    if (++guard > 100_000) throw new Error('pump does not terminate');
    const p = queue.shift() as Parcel;
    const to = byId(world, p.to);
    const wasInvited = to.state?.status === 'invited';
    const { out, error } = deliverParcel(world, p, now);
    if (error?.recovery === 'hold') {
      held.push(p);
      continue;
    }
    if (error) errors.push(error);
    queue.push(...out);
    if (!wasInvited && to.state?.status === 'invited') {
      queue.push(...held.filter((h) => h.to === to.id));
      held.splice(0, held.length, ...held.filter((h) => h.to !== to.id));
      if (accept(to)) queue.push(...apply(to, must(acceptGroup(to.state, to.rng))));
    }
  }
  return errors;
}

/** owner creates the group with the others; everyone accepts; all keys delivered. */
export function formGroup(names: string[], seed = 'group'): Sim[] {
  const world = makeMembers(names, seed);
  const [owner, ...rest] = world as [Sim, ...Sim[]];
  const created = must(createGroup({ site: SITE, self: { identity: owner.identity.publicKey, handle: owner.name }, members: rest.map((m) => ({ identity: m.identity.publicKey, handle: m.name })), rng: owner.rng }));
  const errors = pump(world, apply(owner, created));
  if (errors.length > 0) throw new Error(`forming: ${errors.map((e) => e.code).join(', ')}`);
  return world;
}

export function send(m: Sim, text: string): Uint8Array {
  const r = must(encryptGroupMessage(m.state as GroupState, text));
  m.state = r.state;
  return r.wire;
}

export function read(m: Sim, wire: Uint8Array, now = NOW) {
  const r = decryptGroupMessage(m.state as GroupState, wire, now);
  if (r.ok) {
    m.state = r.value.state;
    m.events.push(...r.value.events);
  }
  return r;
}

export function messageOf(r: ReturnType<typeof read>): Extract<GroupEvent, { type: 'message' }> | null {
  if (!r.ok) return null;
  return (r.value.events.find((e) => e.type === 'message') as Extract<GroupEvent, { type: 'message' }> | undefined) ?? null;
}

export function code(r: { ok: true } | { ok: false; error: { code: string } }): string {
  return r.ok ? 'ok' : r.error.code;
}

export function snap(s: GroupState | null): string {
  return JSON.stringify(s);
}
