/**
 * One page, two connections on loopback (call-bad-frames.test.ts): the sender's frames go through
 * the dishonest sender (tamper-worker.ts), the receiver's through Veil's own media worker
 * (entrypoints/call-hook.content/worker.ts, the code Veil ships) holding the same key. The test
 * reads Veil's counters through the worker's control port and what the receiver decodes.
 */
import { createFakeMedia, HEIGHT, WIDTH } from '../../chat-site/client/fake-media.ts';
import type { TransformStats } from '../../../lib/media/transform.ts';
import type { WorkerEvent } from '../../../lib/media/worker-protocol.ts';

type Encoded = { createEncodedStreams(): { readable: ReadableStream; writable: WritableStream } };
type ScriptTransformCtor = new (worker: Worker, options: unknown) => unknown;

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff);
const chromiumStreams = typeof (RTCRtpSender.prototype as unknown as Partial<Encoded>).createEncodedStreams === 'function';
const video = document.createElement('video');
video.muted = true;
video.playsInline = true;
document.body.append(video);

const port = (() => {
  const ch = new MessageChannel();
  const veil = new Worker('/veil-worker.js');
  veil.postMessage({ v: 1, type: 'veil-media-init', port: ch.port2, policy: 'encrypt' }, [ch.port2]);
  ch.port1.postMessage({ v: 1, type: 'add-receive-key', epoch: 0, key: KEY });
  return { channel: ch.port1, worker: veil };
})();
const events: WorkerEvent[] = [];
const waiting = new Map<number, (t: Array<{ transformId: string; stats: TransformStats }>) => void>();
port.channel.onmessage = (e: MessageEvent<WorkerEvent>) => {
  events.push(e.data);
  if (e.data.type === 'stats') waiting.get(e.data.requestId)?.(e.data.transforms);
};

async function start(): Promise<void> {
  const media = createFakeMedia();
  void media.audioContext.resume().catch(() => undefined);
  const config = (chromiumStreams ? { encodedInsertableStreams: true } : {}) as RTCConfiguration;
  const pc1 = new RTCPeerConnection(config);
  const pc2 = new RTCPeerConnection(config);
  // A candidate the other side refuses only leaves the connection to fail, which the lab reports.
  pc1.onicecandidate = (e) => void (e.candidate && pc2.addIceCandidate(e.candidate).catch(() => undefined));
  pc2.onicecandidate = (e) => void (e.candidate && pc1.addIceCandidate(e.candidate).catch(() => undefined));
  const tamper = new Worker('/tamper-worker.js');
  const Transform = (globalThis as unknown as { RTCRtpScriptTransform?: ScriptTransformCtor }).RTCRtpScriptTransform;
  for (const track of media.stream.getTracks()) {
    const sender = pc1.addTrack(track, media.stream);
    const kind = track.kind;
    if (chromiumStreams) {
      const { readable, writable } = (sender as unknown as Encoded).createEncodedStreams();
      tamper.postMessage({ readable, writable, kind, key: KEY }, [readable, writable] as unknown as Transferable[]);
    } else {
      (sender as unknown as { transform: unknown }).transform = new Transform!(tamper, { kind, key: KEY });
    }
  }
  pc2.ontrack = (e) => {
    const kind = e.track.kind;
    const transformId = `receive-${kind}`;
    if (chromiumStreams) {
      const { readable, writable } = (e.receiver as unknown as Encoded).createEncodedStreams();
      port.channel.postMessage({ v: 1, type: 'attach-streams', transformId, direction: 'receive', kind, readable, writable }, [readable, writable] as unknown as Transferable[]);
    } else {
      (e.receiver as unknown as { transform: unknown }).transform = new Transform!(port.worker, { v: 1, veil: 'media', transformId, direction: 'receive', kind });
    }
    if (kind === 'video') {
      video.srcObject = new MediaStream([e.track]);
      void video.play().catch(() => undefined);
    }
  };
  await pc1.setLocalDescription(await pc1.createOffer());
  await pc2.setRemoteDescription(pc1.localDescription!);
  await pc2.setLocalDescription(await pc2.createAnswer());
  await pc1.setRemoteDescription(pc2.localDescription!);
  lab.pc = pc2;
}

let requestId = 0;
function veilStats(): Promise<Array<{ transformId: string; stats: TransformStats }>> {
  const id = ++requestId;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    port.channel.postMessage({ v: 1, type: 'stats-request', requestId: id });
  });
}

async function decoded(): Promise<{ framesDecoded: number; framesReceived: number }> {
  let framesDecoded = 0;
  let framesReceived = 0;
  (await lab.pc?.getStats())?.forEach((s: Record<string, unknown>) => {
    if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
      framesDecoded += typeof s.framesDecoded === 'number' ? s.framesDecoded : 0;
      framesReceived += typeof s.framesReceived === 'number' ? s.framesReceived : 0;
    }
  });
  return { framesDecoded, framesReceived };
}

/** Mean colour of the left and right halves of the received picture (red | blue pattern). */
function pixels(): { left: { r: number; g: number; b: number }; right: { r: number; g: number; b: number } } | null {
  if (video.readyState < 2 || video.videoWidth === 0) return null;
  const c = document.createElement('canvas');
  c.width = WIDTH;
  c.height = HEIGHT;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(video, 0, 0, WIDTH, HEIGHT);
  const mean = (x: number) => {
    const d = ctx.getImageData(x, 20, 120, 140).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k]! += d[i + k] ?? 0;
    const n = d.length / 4;
    return { r: Math.round(sum[0]! / n), g: Math.round(sum[1]! / n), b: Math.round(sum[2]! / n) };
  };
  return { left: mean(20), right: mean(180) };
}

const lab = { start, veilStats, decoded, pixels, events, pc: null as RTCPeerConnection | null };
(window as unknown as { __lab: typeof lab }).__lab = lab;
