/**
 * Messages on the private MessageChannel between Veil's main-world call script and Veil's
 * isolated-world bridge. The channel is created by the main-world script at document_start,
 * before page scripts run, and its port is handed over with one window.postMessage that the
 * bridge takes (first one only) and stops from reaching page listeners.
 *
 * Both ends validate everything: the main world shares its realm with the page, so the bridge
 * treats its messages as untrusted (the background validates them again); the main world accepts
 * keys only as replies to its own numbered requests.
 */
import { isIceTag } from './sdp.ts';
import type { CallReport } from './status.ts';
import { fail, ok, type Result } from '../result.ts';
import type { CallError } from './errors.ts';

export const BRIDGE_VERSION = 1;
/** Marker of the one window message that carries the port. */
export const PORT_HANDOFF = 'veil-call-port-v1';

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);
const isReqId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isCallRef = (x: unknown): x is string => typeof x === 'string' && /^[A-Za-z0-9]{8,32}$/.test(x);
const isFpList = (x: unknown): x is string[] =>
  Array.isArray(x) && x.length >= 1 && x.length <= 8 && x.every((f) => typeof f === 'string' && f.length <= 256);

export type MainToBridge =
  | { v: 1; type: 'hello' }
  /** Both sides' fingerprints and ICE tags (hashes of ufrag+pwd, never the pwd itself): see sdp.ts. */
  | { v: 1; type: 'keys-request'; reqId: number; callRef: string; local: string[]; remote: string[]; localIce: string; remoteIce: string }
  | { v: 1; type: 'status'; callRef: string; report: CallReport }
  | { v: 1; type: 'ended'; callRef: string };

export type KeysReply =
  | { ok: true; callId: string; sendChain: string; recvChain: string }
  | { ok: false; code: KeysRefusal; message: string };

/** 'call-reused': the background already issued this call id to another connection (never retried). */
export type KeysRefusal = 'no-session' | 'locked' | 'unavailable' | 'refused' | 'call-reused';

export type BridgeToMain =
  | { v: 1; type: 'policy'; strict: boolean }
  | { v: 1; type: 'keys'; reqId: number; reply: KeysReply };

export function parseMainToBridge(data: unknown): Result<MainToBridge, CallError> {
  if (!isRec(data) || data['v'] !== BRIDGE_VERSION) return fail('malformed', 'not a call bridge message');
  switch (data['type']) {
    case 'hello':
      return ok({ v: 1, type: 'hello' });
    case 'keys-request': {
      const { reqId, callRef, local, remote, localIce, remoteIce } = data;
      if (!isReqId(reqId) || !isCallRef(callRef) || !isFpList(local) || !isFpList(remote) || !isIceTag(localIce) || !isIceTag(remoteIce)) {
        return fail('malformed', 'keys-request');
      }
      return ok({ v: 1, type: 'keys-request', reqId, callRef, local: [...local], remote: [...remote], localIce, remoteIce });
    }
    case 'status': {
      // The report's fields are checked by the background's schema; here only the envelope.
      if (!isCallRef(data['callRef']) || !isRec(data['report'])) return fail('malformed', 'status');
      return ok({ v: 1, type: 'status', callRef: data['callRef'], report: data['report'] as unknown as CallReport });
    }
    case 'ended':
      if (!isCallRef(data['callRef'])) return fail('malformed', 'ended');
      return ok({ v: 1, type: 'ended', callRef: data['callRef'] });
    default:
      return fail('malformed', 'type');
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const CODES = new Set<string>(['no-session', 'locked', 'unavailable', 'refused', 'call-reused'] satisfies KeysRefusal[]);

export function parseBridgeToMain(data: unknown): Result<BridgeToMain, CallError> {
  if (!isRec(data) || data['v'] !== BRIDGE_VERSION) return fail('malformed', 'not a call bridge message');
  if (data['type'] === 'policy') {
    if (typeof data['strict'] !== 'boolean') return fail('malformed', 'policy');
    return ok({ v: 1, type: 'policy', strict: data['strict'] });
  }
  if (data['type'] === 'keys') {
    const reply = data['reply'];
    if (!isReqId(data['reqId']) || !isRec(reply)) return fail('malformed', 'keys');
    if (reply['ok'] === true) {
      const { callId, sendChain, recvChain } = reply;
      if (typeof callId !== 'string' || callId.length > 1024 || typeof sendChain !== 'string' || !HEX64.test(sendChain) || typeof recvChain !== 'string' || !HEX64.test(recvChain)) {
        return fail('malformed', 'keys reply');
      }
      return ok({ v: 1, type: 'keys', reqId: data['reqId'], reply: { ok: true, callId, sendChain, recvChain } });
    }
    if (reply['ok'] === false && typeof reply['code'] === 'string' && CODES.has(reply['code'])) {
      const message = typeof reply['message'] === 'string' ? reply['message'].slice(0, 200) : '';
      return ok({ v: 1, type: 'keys', reqId: data['reqId'], reply: { ok: false, code: reply['code'] as KeysRefusal, message } });
    }
    return fail('malformed', 'keys reply');
  }
  return fail('malformed', 'type');
}

/** Is this window message the port handoff? (checked by the bridge before taking the port) */
export function isPortHandoff(data: unknown, ports: ReadonlyArray<unknown>): boolean {
  return isRec(data) && data['veil'] === PORT_HANDOFF && ports.length === 1;
}
