/**
 * A page whose CSP forbids workers (worker-src 'none'): Veil's blob worker cannot start.
 * Chromium: the same pipeline runs on the page's main thread over the encoded streams, and Veil
 * says so (pipeline "main-thread"); frames are really transformed there (counted, strict mode
 * drops them, pass-through plays them). Firefox: no main-thread path exists for
 * RTCRtpScriptTransform, so Veil reports "failing" and nothing is decoded (fail closed).
 * The page makes a loopback call between two connections (no session: keys are refused).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browsersUnderTest, launchVeil, type DrivenPage, type VeilBrowser } from './harness';
import { callView } from './call-flow';
import { ask, createIdentity, poll } from './text-flow';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>csp call</title></head><body>
<video id="v" autoplay muted playsinline></video>
<script>
window.__loop = async () => {
  const c = document.createElement('canvas'); c.width = 160; c.height = 120;
  const g = c.getContext('2d');
  setInterval(() => { g.fillStyle = '#f00'; g.fillRect(0, 0, 160, 120); g.fillStyle = '#00f'; g.fillRect(Math.random() * 140, 0, 20, 20); }, 33);
  const track = c.captureStream(30).getVideoTracks()[0];
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  b.ontrack = (e) => { document.getElementById('v').srcObject = new MediaStream([e.track]); };
  a.addTrack(track);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  window.__pcs = [a, b];
};
window.__decoded = async () => {
  let n = 0;
  (await window.__pcs[1].getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; });
  return n;
};
</script></body></html>`;

describe.each(browsersUnderTest())('call on a page that forbids workers, in %s', (kind) => {
  let veil: VeilBrowser;
  let server: Server;
  let port = 0;
  let ext: DrivenPage;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/csp-call')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "worker-src 'none'; child-src 'none'" });
        res.end(PAGE);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    veil = await launchVeil(kind, 'csp', { enableTestHost: true });
    await createIdentity(veil);
    ext = await veil.openExtensionPage('/popup.html');
  });
  afterAll(async () => {
    await veil?.close();
    await new Promise((r) => server?.close(() => r(null)));
  });

  it('strict (default): reports the worker blocked and decodes nothing', async () => {
    const page = await veil.newPage(`http://127.0.0.1:${port}/csp-call`);
    await page.evaluate(() => (window as unknown as { __loop(): Promise<void> }).__loop());
    const v = await poll('call view', async () => {
      const x = await callView(ext, '/csp-call');
      return x && x.framesDropped > 20 ? x : kind === 'firefox' && x?.status === 'failing' ? x : null;
    }, 30_000);
    const decoded = await page.evaluate(() => (window as unknown as { __decoded(): Promise<number> }).__decoded());
    console.log(`[csp] ${kind} strict: ${JSON.stringify(v)} decoded ${decoded}`);
    expect(decoded).toBe(0);
    if (kind === 'chromium') {
      expect(v.pipeline).toBe('main-thread');
      expect(v.status).toBe('waiting-for-keys');
    } else {
      expect(v.pipeline).toBe('none');
      expect(v.status).toBe('failing');
    }
    await page.close();
  });

  it('strict off: Chromium carries the call through the main-thread pipeline, marked not encrypted', async () => {
    expect((await ask(ext, 'keyring:set-settings', { strictCalls: false })).ok).toBe(true);
    const page = await veil.newPage(`http://127.0.0.1:${port}/csp-call`);
    await page.evaluate(() => (window as unknown as { __loop(): Promise<void> }).__loop());
    await new Promise((r) => setTimeout(r, 6000));
    const v = await poll('call view', async () => {
      const x = await callView(ext, '/csp-call');
      return x && (x.framesPassthrough > 20 || (kind === 'firefox' && x.status !== 'waiting-for-keys')) ? x : null;
    }, 30_000);
    const decodedNow = () => page.evaluate(() => (window as unknown as { __decoded(): Promise<number> }).__decoded());
    // Chromium's receiver waits ~2.5 s without a decodable frame before it asks for a key frame
    // (longer on a loaded machine): wait for pictures rather than sample once.
    const t0 = Date.now();
    const over20 = async (): Promise<number | null> => {
      const n = await decodedNow();
      return n > 20 ? n : null;
    };
    const decoded = kind === 'chromium' ? await poll('more than 20 decoded frames', over20, 45_000).catch(decodedNow) : await decodedNow();
    console.log(`[csp] ${kind} open: ${JSON.stringify(v)} decoded ${decoded} (waited ${((Date.now() - t0) / 1000).toFixed(1)} s more)`);
    expect(v.status).toBe('not-encrypted');
    if (kind === 'chromium') {
      expect(v.pipeline).toBe('main-thread');
      expect(decoded).toBeGreaterThan(20);
    } else {
      expect(v.pipeline).toBe('none');
      expect(v.reason).toMatch(/blocks Veil's media worker/);
    }
    await page.close();
  });
});
