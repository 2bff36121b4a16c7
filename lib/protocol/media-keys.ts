// Per-call media keys for frame encryption (SFrame-like use; the media layer takes raw 32-byte keys).
// callRoot = HKDF(ikm = session media root, salt = SHA-256(callId), label "media-call");
// chain_0(direction) = HKDF-Expand(callRoot, direction label) where the direction is named by role
// (initiator->responder / responder->initiator) so both sides agree;
// key(epoch) = HKDF-Expand(chain_epoch, "media-frame-key"); chain_{e+1} = HKDF-Expand(chain_e, "media-next-epoch").
// Epochs ratchet forward with no text message; a discarded chain cannot be recomputed from later ones.
import { hexToBytes, utf8ToBytes } from '../bytes.ts';
import { LABELS } from './constants.ts';
import type { ConversationState, Session } from './conversation.ts';
import { hkdfExpand, hkdfSha256, sha256 } from './primitives.ts';
import { err, ok, type Result } from '../result.ts';

export const MAX_MEDIA_EPOCH = 1_000_000;

export interface MediaChain {
  readonly epoch: number;
  readonly chainKey: Uint8Array;
}

export interface CallKeys {
  readonly callId: string;
  readonly sessionId: string;
  /** Key we encrypt our frames with at `epoch`. */
  send(epoch: number): Uint8Array;
  /** Key the peer encrypts its frames with at `epoch`. */
  recv(epoch: number): Uint8Array;
  /**
   * Forget everything below `epoch` in both directions (forward secrecy for the call); later
   * calls to send/recv with a smaller epoch throw RangeError.
   */
  forgetBefore(epoch: number): void;
}

export type MediaKeyErrorCode = 'no-session' | 'bad-call-id';
export interface MediaKeyError {
  readonly code: MediaKeyErrorCode;
  readonly message: string;
}

export function mediaFrameKey(chain: MediaChain): Uint8Array {
  return hkdfExpand(chain.chainKey, LABELS.mediaFrameKey, 32);
}

export function advanceMediaChain(chain: MediaChain, toEpoch: number): MediaChain {
  if (!Number.isInteger(toEpoch) || toEpoch < chain.epoch || toEpoch > MAX_MEDIA_EPOCH) {
    throw new RangeError(`epoch ${toEpoch} not reachable from ${chain.epoch}`);
  }
  let key = chain.chainKey;
  for (let e = chain.epoch; e < toEpoch; e++) key = hkdfExpand(key, LABELS.mediaNextEpoch, 32);
  return { epoch: toEpoch, chainKey: key };
}

export function initialMediaChains(session: Session, callId: string): { send: MediaChain; recv: MediaChain } {
  const callRoot = hkdfSha256({ ikm: hexToBytes(session.mediaRoot), salt: sha256(utf8ToBytes(callId)), label: LABELS.mediaCall, length: 32 });
  const i2r = { epoch: 0, chainKey: hkdfExpand(callRoot, LABELS.mediaInitiatorToResponder, 32) };
  const r2i = { epoch: 0, chainKey: hkdfExpand(callRoot, LABELS.mediaResponderToInitiator, 32) };
  return session.role === 'initiator' ? { send: i2r, recv: r2i } : { send: r2i, recv: i2r };
}

/** Media keys for one call on the active session. */
export function deriveCallKeys(state: ConversationState, callId: string): Result<CallKeys, MediaKeyError> {
  const session = state.session;
  if (!session || !session.confirmed) return err({ code: 'no-session', message: 'no confirmed session for this conversation' });
  if (typeof callId !== 'string' || callId.length === 0 || callId.length > 1024) {
    return err({ code: 'bad-call-id', message: 'callId must be 1..1024 characters' });
  }
  let chains = initialMediaChains(session, callId);
  const keyAt = (dir: 'send' | 'recv', epoch: number): Uint8Array => mediaFrameKey(advanceMediaChain(chains[dir], epoch));
  return ok({
    callId,
    sessionId: session.id,
    send: (epoch) => keyAt('send', epoch),
    recv: (epoch) => keyAt('recv', epoch),
    forgetBefore: (epoch) => {
      chains = {
        send: chains.send.epoch < epoch ? advanceMediaChain(chains.send, epoch) : chains.send,
        recv: chains.recv.epoch < epoch ? advanceMediaChain(chains.recv, epoch) : chains.recv,
      };
    },
  });
}
