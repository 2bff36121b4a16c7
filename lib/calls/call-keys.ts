/**
 * Media key material of one call, derived in the background from the conversation's text
 * session, and the per-epoch schedule the main-world script runs from it.
 *
 * What leaves the background: the two per-call chain keys at epoch 0 (one per direction). They
 * derive this call's frame keys for every epoch, and nothing else: not the session's root, its
 * ratchet, or any identity key. The call id (from the DTLS fingerprints and both sides' fresh ICE
 * credentials, see sdp.ts) is mixed in, so another call, even over the same DTLS certificates, or
 * the same call seen through a DTLS-terminating relay, gets unrelated keys.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../bytes.ts';
import type { ConversationState } from '../protocol/conversation.ts';
import { advanceMediaChain, deriveCallKeys, initialMediaChains, mediaFrameKey, MAX_MEDIA_EPOCH, type MediaChain } from '../protocol/media-keys.ts';
import { sasFromBytes, type Sas } from '../protocol/sas.ts';
import { fail, ok, type Result } from '../result.ts';
import type { CallError } from './errors.ts';

export const CALL_SAS_LABEL = 'veil/v1/call-sas';

export interface CallMaterial {
  callId: string;
  sessionId: string;
  /** Hex chain keys at epoch 0: what the main-world script gets. */
  sendChain: string;
  recvChain: string;
  /** Short authentication string bound to the session and this call's DTLS fingerprints. */
  sas: Sas;
}

/** Background only: needs the conversation state (kept in the keyring). */
export function deriveCallMaterial(state: ConversationState, callId: string): Result<CallMaterial, CallError> {
  const keys = deriveCallKeys(state, callId); // validates the session (confirmed) and the id
  if (!keys.ok) return fail(keys.error.code === 'no-session' ? 'no-session' : 'bad-call-id', keys.error.message);
  const session = state.session;
  if (session === null) return fail('no-session', 'no session');
  const chains = initialMediaChains(session, callId);
  // Separate label from the media chains: the SAS reveals nothing about frame keys.
  const sasBytes = hkdf(sha256, hexToBytes(session.mediaRoot), sha256(utf8ToBytes(callId)), utf8ToBytes(CALL_SAS_LABEL), 4);
  return ok({
    callId,
    sessionId: session.id,
    sendChain: bytesToHex(chains.send.chainKey),
    recvChain: bytesToHex(chains.recv.chainKey),
    sas: sasFromBytes(sasBytes),
  });
}

/** Call ids remembered per browser session by default (oldest forgotten first). */
export const MAX_ISSUED_CALLS = 512;

export interface IssuedCall {
  /** Hex SHA-256 of the call id (fixed size, whatever the id's length). */
  id: string;
  tabId: number;
  callRef: string;
}

export type IssueDecision = 'new' | 'same-call' | 'reused';

/**
 * Defence in depth against nonce reuse: which call ids the background handed keys for, and to
 * which connection (tab + callRef). Keys depend only on the session and the call id, and every
 * connection counts its nonces from 0, so keys for one id must go to one connection only. The
 * same connection asking again (a retry) gets the same keys; any other is refused. Bounded.
 */
export class IssuedCallIds {
  private readonly list: IssuedCall[];

  constructor(
    saved: unknown = [],
    private readonly max = MAX_ISSUED_CALLS,
  ) {
    this.list = IssuedCallIds.parse(saved, max);
  }

  /** Keeps only well-formed entries (the storage copy is ours, but it is cheap to check). */
  private static parse(saved: unknown, max: number): IssuedCall[] {
    if (!Array.isArray(saved)) return [];
    const out: IssuedCall[] = [];
    for (const e of saved.slice(-max)) {
      if (typeof e !== 'object' || e === null) continue;
      const { id, tabId, callRef } = e as Record<string, unknown>;
      if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id) || typeof tabId !== 'number' || typeof callRef !== 'string' || callRef.length > 64) continue;
      out.push({ id, tabId, callRef });
    }
    return out;
  }

  /** Records the id for this connection unless another connection has it. Synchronous: no race between check and record. */
  claim(callId: string, tabId: number, callRef: string): IssueDecision {
    const id = bytesToHex(sha256(utf8ToBytes(callId)));
    const prior = this.list.find((e) => e.id === id);
    if (prior) return prior.tabId === tabId && prior.callRef === callRef ? 'same-call' : 'reused';
    this.list.push({ id, tabId, callRef });
    if (this.list.length > this.max) this.list.splice(0, this.list.length - this.max);
    return 'new';
  }

  /** What to persist (storage.session). */
  entries(): IssuedCall[] {
    return this.list.map((e) => ({ ...e }));
  }
}

function chainFromHex(hex: unknown): MediaChain | null {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) return null;
  return { epoch: 0, chainKey: hexToBytes(hex) };
}

/**
 * One direction's epochs: hands out the frame key of an epoch and forgets the chain below it,
 * so a leaked later state cannot recompute earlier frame keys. Epochs only move forward.
 */
export class EpochChain {
  private chain: MediaChain;

  constructor(chain: MediaChain) {
    this.chain = chain;
  }

  static fromHex(hex: unknown): EpochChain | null {
    const c = chainFromHex(hex);
    return c === null ? null : new EpochChain(c);
  }

  /** Lowest epoch still derivable. */
  get floor(): number {
    return this.chain.epoch;
  }

  /** Frame key at `epoch` (>= floor); null when unreachable. Does not move the floor. */
  keyAt(epoch: number): Uint8Array | null {
    if (!Number.isSafeInteger(epoch) || epoch < this.chain.epoch || epoch > MAX_MEDIA_EPOCH) return null;
    return mediaFrameKey(advanceMediaChain(this.chain, epoch));
  }

  /** Forget every epoch below `epoch`. */
  forgetBefore(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch <= this.chain.epoch || epoch > MAX_MEDIA_EPOCH) return;
    const old = this.chain.chainKey;
    this.chain = advanceMediaChain(this.chain, epoch);
    old.fill(0);
  }

  wipe(): void {
    this.chain.chainKey.fill(0);
  }
}
