/**
 * Media key material of one call, derived in the background from the conversation's text
 * session, and the per-epoch schedule the main-world script runs from it.
 *
 * What leaves the background: the two per-call chain keys at epoch 0 (one per direction). They
 * derive this call's frame keys for every epoch, and nothing else: not the session's root, its
 * ratchet, or any identity key. The call id (from the DTLS fingerprints, see sdp.ts) is mixed in,
 * so another call, or the same call seen through a DTLS-terminating relay, gets unrelated keys.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ConversationState } from '../protocol/conversation.ts';
import { advanceMediaChain, deriveCallKeys, initialMediaChains, mediaFrameKey, MAX_MEDIA_EPOCH, type MediaChain } from '../protocol/media-keys.ts';
import { sasFromBytes, type Sas } from '../protocol/sas.ts';
import { fail, ok, type Result } from './result.ts';

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
export function deriveCallMaterial(state: ConversationState, callId: string): Result<CallMaterial> {
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
