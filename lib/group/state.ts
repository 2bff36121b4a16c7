// The group state: JSON-safe (hex strings), versioned, never mutated (every function returns a
// new object). Parsed back from storage by serialize.ts, which treats it as hostile.
import type { Member } from './roster.ts';

/** invited: a welcome arrived, the user has not accepted; active: accepted (we send); removed / left: secrets wiped. */
export type GroupStatus = 'invited' | 'active' | 'removed' | 'left';

export interface SkippedGroupKey {
  readonly index: number;
  /** Message key (hex). */
  readonly mk: string;
  /** Caller's clock (ms) when stored. */
  readonly at: number;
}

/** Digest (hex, 8 bytes) of a message at an index: what other members' references are checked against. */
export interface SeenDigest {
  readonly index: number;
  readonly digest: string;
}

/** Another member's sending chain, as we received it. */
export interface SenderChain {
  /** The member (identity key hex) the chain belongs to. */
  readonly owner: string;
  readonly keyId: string;
  readonly signPublic: string;
  /** Chain key (hex) at index `next`. */
  readonly chainKey: string;
  readonly next: number;
  /** Index the chain was handed to us at: earlier messages are unreadable by design. */
  readonly firstIndex: number;
  /** Epoch the chain was created in. */
  readonly epoch: number;
  /** Keys of indices skipped over (ascending index). */
  readonly skipped: readonly SkippedGroupKey[];
  /** Keys of unread indices below this may have been dropped (bound or expiry); above it, a missing key means already read. */
  readonly dropBelow: number;
  readonly seen: readonly SeenDigest[];
}

export interface OwnChain {
  readonly keyId: string;
  readonly signSecret: string;
  readonly signPublic: string;
  readonly chainKey: string;
  readonly next: number;
  readonly epoch: number;
  readonly sent: readonly SeenDigest[];
}

/** A control payload for a later epoch, applied once the commit reaching that epoch arrives. */
export interface PendingControl {
  readonly from: string;
  readonly payload: string;
  readonly at: number;
}

/** Another member's reference to a message we have not read (yet). */
export interface OpenReference {
  readonly keyId: string;
  readonly index: number;
  readonly digest: string;
  /** Who referenced it. */
  readonly by: string;
  readonly at: number;
}

export interface MessageRef {
  readonly keyId: string;
  readonly index: number;
  readonly digest: string;
}

export interface GroupState {
  readonly v: 1;
  readonly kind: 'veil-group';
  readonly groupId: string;
  readonly site: string;
  readonly conversationId: string;
  /** Our identity key (hex). */
  readonly self: string;
  /** The member who commits membership changes (the creator). */
  readonly owner: string;
  readonly status: GroupStatus;
  readonly epoch: number;
  /** Membership transcript hash th_epoch (hex). */
  readonly transcript: string;
  /** th of earlier epochs (oldest first), to check late messages. */
  readonly pastTranscripts: readonly { readonly epoch: number; readonly transcript: string }[];
  readonly joinedAt: number;
  /** Epoch of the last removal (0: none). Chains from before it were readable by a removed member. */
  readonly lastRemovalEpoch: number;
  /** Canonical order. */
  readonly members: readonly Member[];
  /** Our sending chain; null until the user accepts (and after removal). */
  readonly own: OwnChain | null;
  readonly ownPastKeyIds: readonly string[];
  readonly chains: readonly SenderChain[];
  readonly retiredKeyIds: readonly string[];
  readonly pending: readonly PendingControl[];
  /** The last message we read from another member: our next message references it. */
  readonly lastReceived: MessageRef | null;
  readonly openReferences: readonly OpenReference[];
}
