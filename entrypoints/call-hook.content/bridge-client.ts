/**
 * Main-world end of the private channel to Veil's isolated-world bridge. Created at
 * document_start: the port travels in one window.postMessage before any page script has run;
 * the bridge takes it and stops the event from reaching page listeners (see docs/calls.md for
 * the residual risk).
 */
import { parseBridgeToMain, PORT_HANDOFF, type KeysReply, type MainToBridge } from '../../lib/calls/bridge-protocol';
import type { CallReport } from '../../lib/calls/status';
import type { Pristine } from './pristine';

const KEYS_TIMEOUT_MS = 8000;

export class BridgeClient {
  strict = false;
  private readonly port: MessagePort;
  private nextReq = 1;
  private readonly pending = new Map<number, (r: KeysReply) => void>();
  private readonly policyListeners: Array<(strict: boolean) => void> = [];

  constructor(private readonly p: Pristine) {
    const ch = new p.MessageChannel();
    this.port = ch.port1;
    this.port.onmessage = (e: MessageEvent) => this.receive(e.data);
    p.postMessage({ veil: PORT_HANDOFF }, '*', [ch.port2]);
    this.send({ v: 1, type: 'hello' });
  }

  onPolicy(fn: (strict: boolean) => void): void {
    this.policyListeners.push(fn);
  }

  /** `binding`: both sides' fingerprints and ICE tags from the connection's first description pair. */
  requestKeys(callRef: string, binding: { local: string[]; remote: string[]; localIce: string; remoteIce: string }): Promise<KeysReply> {
    const { local, remote, localIce, remoteIce } = binding;
    const reqId = this.nextReq++;
    return new Promise((resolve) => {
      const timer = this.p.setTimeout(() => {
        this.pending.delete(reqId);
        resolve({ ok: false, code: 'unavailable', message: 'Veil did not answer' });
      }, KEYS_TIMEOUT_MS);
      this.pending.set(reqId, (r) => {
        this.p.clearTimeout(timer);
        resolve(r);
      });
      this.send({ v: 1, type: 'keys-request', reqId, callRef, local, remote, localIce, remoteIce });
    });
  }

  status(callRef: string, report: CallReport): void {
    this.send({ v: 1, type: 'status', callRef, report });
  }

  ended(callRef: string): void {
    this.send({ v: 1, type: 'ended', callRef });
  }

  private send(m: MainToBridge): void {
    try {
      this.port.postMessage(m);
    } catch {
      /* closed: the bridge is gone */
    }
  }

  private receive(data: unknown): void {
    const m = parseBridgeToMain(data);
    if (!m.ok) return;
    if (m.value.type === 'policy') {
      this.strict = m.value.strict;
      for (const fn of this.policyListeners) fn(this.strict);
      return;
    }
    const resolve = this.pending.get(m.value.reqId);
    if (!resolve) return; // only replies to our own requests
    this.pending.delete(m.value.reqId);
    resolve(m.value.reply);
  }
}
