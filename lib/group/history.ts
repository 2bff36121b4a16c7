// History consistency: every group message references the last message its sender read (key id,
// index, digest of the exact wire bytes). A receiver compares each reference with the message it
// has at that place; a reference to a message it never receives is reported once its grace ends.
import { MAX_OPEN_REFERENCES, MAX_RECENT_DIGESTS, REFERENCE_GRACE_MS } from './constants.ts';
import type { GroupEvent } from './events.ts';
import type { GroupState, MessageRef, OpenReference, SeenDigest } from './state.ts';

export function rememberDigest(seen: readonly SeenDigest[], index: number, digest: string): SeenDigest[] {
  return [...seen.filter((s) => s.index !== index), { index, digest }].slice(-MAX_RECENT_DIGESTS);
}

type Known = { digest: string } | 'unknowable' | 'not-yet';

/** What we know about the message at (keyId, index). */
function lookup(state: GroupState, ref: MessageRef): Known {
  const own = state.own;
  if (own !== null && own.keyId === ref.keyId) {
    const s = own.sent.find((x) => x.index === ref.index);
    return s ? { digest: s.digest } : 'unknowable';
  }
  if (state.ownPastKeyIds.includes(ref.keyId)) return 'unknowable';
  const chain = state.chains.find((c) => c.keyId === ref.keyId);
  if (!chain) return state.retiredKeyIds.includes(ref.keyId) ? 'unknowable' : 'not-yet';
  const s = chain.seen.find((x) => x.index === ref.index);
  if (s) return { digest: s.digest };
  if (ref.index < chain.firstIndex) return 'unknowable';
  const read = ref.index < chain.next && !chain.skipped.some((k) => k.index === ref.index);
  // Read earlier but its digest has left the window: nothing to compare with.
  return read ? 'unknowable' : 'not-yet';
}

/** Checks a reference carried by a message from `by`. */
export function checkReference(state: GroupState, { ref, by, now }: { ref: MessageRef; by: string; now: number }): { state: GroupState; events: GroupEvent[] } {
  const known = lookup(state, ref);
  if (known === 'unknowable') return { state, events: [] };
  if (known !== 'not-yet') {
    const events: GroupEvent[] = known.digest === ref.digest ? [] : [{ type: 'history-conflict', by, keyId: ref.keyId, index: ref.index }];
    return { state, events };
  }
  const same = state.openReferences.find((o) => o.keyId === ref.keyId && o.index === ref.index);
  if (same) {
    // Two members named different messages at one place: one of the two views is forged.
    const events: GroupEvent[] = same.digest === ref.digest ? [] : [{ type: 'history-conflict', by, keyId: ref.keyId, index: ref.index }];
    return { state, events };
  }
  const open: OpenReference = { keyId: ref.keyId, index: ref.index, digest: ref.digest, by, at: now };
  return { state: { ...state, openReferences: [...state.openReferences, open].slice(-MAX_OPEN_REFERENCES) }, events: [] };
}

/** A message arrived: references waiting for it are settled. */
export function settleReferences(state: GroupState, ref: MessageRef): { state: GroupState; events: GroupEvent[] } {
  const waiting = state.openReferences.filter((o) => o.keyId === ref.keyId && o.index === ref.index);
  if (waiting.length === 0) return { state, events: [] };
  const events: GroupEvent[] = waiting
    .filter((o) => o.digest !== ref.digest)
    .map((o) => ({ type: 'history-conflict', by: o.by, keyId: o.keyId, index: o.index }));
  return { state: { ...state, openReferences: state.openReferences.filter((o) => !waiting.includes(o)) }, events };
}

/** References still unresolved after the grace period: a member read a message that has not reached us. */
export function overdueReferences(state: GroupState, now: number): { state: GroupState; events: GroupEvent[] } {
  const overdue = state.openReferences.filter((o) => now - o.at > REFERENCE_GRACE_MS);
  if (overdue.length === 0) return { state, events: [] };
  return {
    state: { ...state, openReferences: state.openReferences.filter((o) => !overdue.includes(o)) },
    events: overdue.map((o) => ({ type: 'history-missing', by: o.by, keyId: o.keyId, index: o.index })),
  };
}
