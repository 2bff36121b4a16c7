/**
 * Veil's isolated-world call bridge (document_start): takes the private MessagePort that the
 * main-world call script posts before any page script runs, relays key requests and status
 * reports to the background, and shows the call overlay (an extension-origin frame).
 *
 * It trusts nothing from the port: messages are validated here and again by the background,
 * which decides the tab, site and conversation from the browser's sender record. Keys come back
 * only as answers to the main-world script's own requests.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { browser } from 'wxt/browser';
import { isPortHandoff, parseMainToBridge, type BridgeToMain, type KeysReply } from '../lib/calls/bridge-protocol';
import { askBackground, messenger, type Result } from '../lib/messaging';

const OVERLAY_ID = 'veil-call-overlay';

/** Key requests and status reports: three tries (the background may be restarting). */
const ask = <T,>(fn: () => Promise<Result<T>>): Promise<Result<T> | null> => askBackground(fn, { attempts: 3 });
/** askBackground never rejects; a reply to a port that closed has nobody to tell. */
const ignore = (): undefined => undefined;

function showOverlay(): void {
  if (document.getElementById(OVERLAY_ID)) return;
  const mount = (): void => {
    if (document.getElementById(OVERLAY_ID) || !document.body) return;
    const f = document.createElement('iframe');
    f.id = OVERLAY_ID;
    f.src = browser.runtime.getURL('/frame.html#call');
    f.title = 'Veil: call encryption';
    f.style.cssText =
      'position:fixed;right:12px;bottom:12px;width:340px;height:190px;border:0;z-index:2147483647;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.35);background:transparent;color-scheme:normal;';
    document.body.appendChild(f);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

function keysReply(r: Result<{ callId: string; sendChain: string; recvChain: string }> | null): KeysReply {
  if (r === null) return { ok: false, code: 'unavailable', message: 'Veil did not answer' };
  if (r.ok) return { ok: true, ...r.value };
  const c = r.error.code;
  const code = c === 'no-session' || c === 'locked' || c === 'call-reused' ? c : 'refused';
  return { ok: false, code, message: r.error.message };
}

function connect(port: MessagePort): void {
  const reply = (m: BridgeToMain): void => port.postMessage(m);
  const lastStatus = new Map<string, number>();
  port.onmessage = (e: MessageEvent) => {
    const parsed = parseMainToBridge(e.data);
    if (!parsed.ok) return;
    const m = parsed.value;
    switch (m.type) {
      case 'hello':
        void ask(() => messenger.sendMessage('content:call-policy', undefined))
          .then((r) => reply({ v: 1, type: 'policy', strict: r?.ok === true && r.value.strict }))
          .catch(ignore);
        return;
      case 'keys-request':
        showOverlay();
        void ask(() => messenger.sendMessage('content:call-keys', { callRef: m.callRef, local: m.local, remote: m.remote, localIce: m.localIce, remoteIce: m.remoteIce }))
          .then((r) => reply({ v: 1, type: 'keys', reqId: m.reqId, reply: keysReply(r) }))
          .catch(ignore);
        return;
      case 'status': {
        // At most one report per call per 800 ms, whatever the main world sends.
        const now = Date.now();
        if (now - (lastStatus.get(m.callRef) ?? 0) < 800) return;
        if (lastStatus.size > 64) lastStatus.clear();
        lastStatus.set(m.callRef, now);
        showOverlay();
        void ask(() => messenger.sendMessage('content:call-status', { callRef: m.callRef, report: m.report })).catch(ignore);
        return;
      }
      case 'ended':
        void ask(() => messenger.sendMessage('content:call-ended', { callRef: m.callRef })).catch(ignore);
        return;
    }
  };
  port.start();
}

export default defineContentScript({
  matches: ['https://veil.invalid/*'],
  registration: 'runtime',
  runAt: 'document_start',
  main() {
    let taken = false;
    const onMessage = (event: MessageEvent): void => {
      if (taken || event.source !== window || !isPortHandoff(event.data, event.ports)) return;
      taken = true;
      // Registered before any page script: stop the port's event from reaching page listeners.
      event.stopImmediatePropagation();
      window.removeEventListener('message', onMessage, true);
      const port = event.ports[0];
      if (port) connect(port);
    };
    window.addEventListener('message', onMessage, true);
  },
});
