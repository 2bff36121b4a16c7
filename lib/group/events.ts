// What the group functions hand back besides the new state: control payloads to send over the
// pairwise sessions, and events for the UI.
import type { GroupErrorCode } from './errors.ts';
import type { Member } from './roster.ts';
import type { GroupState } from './state.ts';

/** A control payload for one member: encrypt it on the pairwise session with `to` (encryptGroupControl). */
export interface GroupOutgoing {
  /** Recipient identity key (hex). */
  readonly to: string;
  readonly payload: Uint8Array;
}

export type GroupEvent =
  | { readonly type: 'invited'; readonly groupId: string; readonly owner: string; readonly members: readonly Member[]; readonly epoch: number }
  | { readonly type: 'accepted'; readonly groupId: string }
  | { readonly type: 'epoch'; readonly epoch: number; readonly added: readonly string[]; readonly removed: readonly string[] }
  | { readonly type: 'removed'; readonly epoch: number }
  | { readonly type: 'sender-key'; readonly member: string; readonly keyId: string }
  | { readonly type: 'held'; readonly kind: string; readonly epoch: number }
  | { readonly type: 'pending-failed'; readonly from: string; readonly code: GroupErrorCode }
  | { readonly type: 'member-leaving'; readonly member: string }
  | { readonly type: 'owner-left' }
  | { readonly type: 'key-requested'; readonly member: string }
  | {
      readonly type: 'message';
      /** Author: the chain's member, proven by the signature (not the page's author label). */
      readonly member: string;
      readonly handle: string | null;
      readonly text: string;
      readonly keyId: string;
      readonly index: number;
      readonly epoch: number;
      /** Sent on a chain from before the last removal: a removed member may read it too. */
      readonly readableByRemoved: boolean;
    }
  | {
      readonly type: 'unreadable-earlier';
      /** before-join: sent before we joined (by design); before-key: before the chain was handed to us. */
      readonly reason: 'before-join' | 'before-key';
      /** Claimed author when the key id is known (not verified: we hold no key for it). */
      readonly member: string | null;
    }
  | {
      readonly type: 'history-conflict';
      /** The member whose reference disagrees with the message we have at that place. */
      readonly by: string;
      readonly keyId: string;
      readonly index: number;
    }
  | {
      readonly type: 'history-missing';
      /** A member referenced a message that has not reached us. */
      readonly by: string;
      readonly keyId: string;
      readonly index: number;
    };

export interface GroupResult {
  readonly state: GroupState;
  readonly outgoing: GroupOutgoing[];
  readonly events: GroupEvent[];
}
