import { describe, expect, it } from 'vitest';
import { startMediaWorker, type WorkerScopeLike } from '../../../lib/media/worker-main.ts';
import { parseControlMessage, type MessagePortLike, type WorkerEvent } from '../../../lib/media/worker-protocol.ts';
import type { EncodedFrameLike } from '../../../lib/media/transform.ts';
import { opusFrame, vp8DeltaFrame, vp8KeyFrame } from './frames.ts';
import { key } from './helpers.ts';

/** A port pair that delivers synchronously (lets tests pass streams without structured clone). */
function portPair(): { main: MessagePortLike & { events: WorkerEvent[] }; worker: MessagePortLike } {
  const events: WorkerEvent[] = [];
  const worker: MessagePortLike = { onmessage: null, postMessage: (m) => events.push(m as WorkerEvent) };
  const main = {
    events,
    onmessage: null,
    postMessage: (m: unknown) => worker.onmessage?.({ data: m }),
  };
  return { main, worker };
}

/** `piped`: the scope has TransformStream, so frames go through pipeThrough/pipeTo (as in browsers). */
function boot(policy: 'encrypt' | 'strict' | 'passthrough' = 'encrypt', piped = false) {
  const scope: WorkerScopeLike = { onmessage: null, onrtctransform: null, ...(piped ? { TransformStream: TransformStream as unknown as WorkerScopeLike['TransformStream'] } : {}) };
  const handle = startMediaWorker(scope);
  const { main, worker } = portPair();
  scope.onmessage?.({ data: { v: 1, type: 'veil-media-init', port: worker, policy } });
  return { scope, handle, port: main };
}

function toFrame(i: number): EncodedFrameLike {
  const audio = i % 3 === 0;
  const bytes = audio ? opusFrame(40 + (i % 50), i) : i % 30 === 1 ? vp8KeyFrame(3000, i) : vp8DeltaFrame(600 + (i % 200), i);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  const mimeType = audio ? 'audio/opus' : 'video/VP8';
  return { data, ...(audio ? {} : { type: i % 30 === 1 ? ('key' as const) : ('delta' as const) }), getMetadata: () => ({ mimeType }) };
}

describe.each([
  ['script loop', false],
  ['pipeThrough', true],
])('media worker over WHATWG streams (Chromium createEncodedStreams path, %s)', (_name, piped) => {
  it('carries 1000 frames end to end through sender and receiver workers and counts them', async () => {
    const tx = boot('encrypt', piped);
    const rx = boot('encrypt', piped);
    tx.port.postMessage({ v: 1, type: 'set-send-key', epoch: 1, key: key(1) });
    rx.port.postMessage({ v: 1, type: 'add-receive-key', epoch: 1, key: key(1) });
    const originals = Array.from({ length: 1000 }, (_, i) => new Uint8Array(toFrame(i).data.slice(0)));
    let i = 0;
    const source = new ReadableStream<EncodedFrameLike>({
      pull(c) {
        if (i < 1000) c.enqueue(toFrame(i++));
        else c.close();
      },
    });
    const network = new TransformStream<EncodedFrameLike, EncodedFrameLike>({
      transform(f, c) {
        // What the platform sees: never the plaintext
        const seen = new Uint8Array(f.data);
        const idx = network.count++;
        if (Buffer.from(seen).equals(Buffer.from(originals[idx]!))) throw new Error(`frame ${idx} left in clear`);
        c.enqueue(f);
      },
    }) as TransformStream<EncodedFrameLike, EncodedFrameLike> & { count: number };
    network.count = 0;
    const received: Uint8Array[] = [];
    const sink = new WritableStream<EncodedFrameLike>({ write: (f) => void received.push(new Uint8Array(f.data)) });
    tx.port.postMessage({ v: 1, type: 'attach-streams', transformId: 's1', direction: 'send', readable: source, writable: network.writable });
    rx.port.postMessage({ v: 1, type: 'attach-streams', transformId: 'r1', direction: 'receive', readable: network.readable, writable: sink });
    await Promise.all([tx.handle.idle(), rx.handle.idle()]);
    expect(received.length).toBe(1000);
    received.forEach((r, k) => expect(Buffer.from(r).equals(Buffer.from(originals[k]!))).toBe(true));
    const [sendStats] = tx.handle.stats();
    const [recvStats] = rx.handle.stats();
    expect(sendStats!.stats.audio.encrypted + sendStats!.stats.video.encrypted).toBe(1000);
    expect(sendStats!.stats.audio.encrypted).toBe(334);
    expect(recvStats!.stats.audio.decrypted + recvStats!.stats.video.decrypted).toBe(1000);
    expect(recvStats!.stats).toMatchObject({ status: 'encrypted', peerEncrypting: true });
    tx.port.postMessage({ v: 1, type: 'stats-request', requestId: 7 });
    expect(tx.port.events.at(-1)).toMatchObject({ type: 'stats', requestId: 7 });
  });
});

describe.each([
  ['script loop', false],
  ['pipeThrough', true],
])('media worker: fail closed and broken streams (%s)', (_name, piped) => {
  it('strict without keys forwards nothing; non-frames are never forwarded; later frames encrypt', async () => {
    const w = boot('strict', piped);
    const plain = [toFrame(2), toFrame(3), toFrame(4)];
    const chunks: unknown[] = [plain[0], { data: 'not a buffer' }, plain[1], 'junk'];
    let n = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const readable = new ReadableStream<unknown>({
      async pull(c) {
        if (n === chunks.length) await gate; // keys arrive, then one more frame
        if (n < chunks.length) c.enqueue(chunks[n++]);
        else if (n === chunks.length) {
          n++;
          c.enqueue(plain[2]);
        } else c.close();
      },
    });
    const out: Uint8Array[] = [];
    const writable = new WritableStream<EncodedFrameLike>({ write: (f) => void out.push(new Uint8Array(f.data)) });
    const clear = new Uint8Array(plain[2]!.data.slice(0));
    w.port.postMessage({ v: 1, type: 'attach-streams', transformId: 's', direction: 'send', kind: 'video', readable, writable });
    await new Promise((r) => setTimeout(r, 20));
    expect(out.length).toBe(0);
    w.port.postMessage({ v: 1, type: 'set-send-key', epoch: 1, key: key(1) });
    release();
    await w.handle.idle();
    expect(out.length).toBe(1);
    expect(Buffer.from(out[0]!).equals(Buffer.from(clear))).toBe(false);
    expect(w.handle.stats()[0]!.stats.video.dropped['no-key']).toBe(2);
  });

  it('a stream that errors ends its pipe without throwing', async () => {
    const w = boot('encrypt', piped);
    const readable = new ReadableStream<unknown>({ pull: (c) => c.error(new Error('gone')) });
    const writable = new WritableStream<EncodedFrameLike>();
    w.port.postMessage({ v: 1, type: 'attach-streams', transformId: 'x', direction: 'send', readable, writable });
    await expect(w.handle.idle()).resolves.toBeUndefined();
  });
});

describe.each([
  ['script loop', false],
  ['pipeThrough', true],
])('media worker: Firefox RTCRtpScriptTransform path (%s)', (_name, piped) => {
  it('attaches on rtctransform with Veil options and asks for a key frame after a key change', async () => {
    const w = boot('strict', piped);
    let keyframes = 0;
    const frames = [toFrame(1), toFrame(2)];
    let n = 0;
    const readable = new ReadableStream<EncodedFrameLike>({ pull: (c) => (n < frames.length ? c.enqueue(frames[n++]!) : c.close()) });
    const out: EncodedFrameLike[] = [];
    const writable = new WritableStream<EncodedFrameLike>({ write: (f) => void out.push(f) });
    w.scope.onrtctransform?.({
      transformer: { readable, writable, options: { v: 1, veil: 'media', transformId: 'v', direction: 'send', kind: 'video' }, generateKeyFrame: async () => void keyframes++ },
    });
    // keys arrive after the transform is attached (before its first frame is read)
    w.port.postMessage({ v: 1, type: 'set-send-key', epoch: 4, key: key(4) });
    await w.handle.idle();
    expect(out.length).toBe(2);
    expect(keyframes).toBe(1);
    expect(w.port.events.some((e) => e.type === 'need-keyframe')).toBe(true);
  });

  it('ignores transforms whose options are not Veil\'s', () => {
    const w = boot();
    const before = w.handle.rejectedMessages();
    w.scope.onrtctransform?.({ transformer: { readable: new ReadableStream(), writable: new WritableStream(), options: { evil: true } } });
    expect(w.handle.stats().length).toBe(0);
    expect(w.handle.rejectedMessages()).toBe(before + 1);
  });
});

describe('media worker: hostile messages', () => {
  it('after init, the global scope accepts nothing (a page holding the Worker cannot drive it)', () => {
    const w = boot();
    const forgedPort = portPair();
    w.scope.onmessage?.({ data: { v: 1, type: 'veil-media-init', port: forgedPort.worker, policy: 'passthrough' } });
    w.scope.onmessage?.({ v: 1, type: 'set-policy', policy: 'passthrough' } as never);
    expect(w.handle.rejectedMessages()).toBe(2);
    expect(forgedPort.main.events.length).toBe(0); // the forged port got no 'ready' and no stats
  });

  it('even the control port cannot switch an encrypted call back to clear', () => {
    const w = boot();
    w.port.postMessage({ v: 1, type: 'set-send-key', epoch: 1, key: key(1) });
    w.port.postMessage({ v: 1, type: 'set-policy', policy: 'passthrough' });
    expect(w.port.events.at(-1)).toMatchObject({ type: 'rejected', of: 'set-policy', reason: 'latched' });
  });

  it('rejects malformed control messages with a typed reason', () => {
    const w = boot();
    const bad: unknown[] = [
      null,
      'set-policy',
      { v: 2, type: 'set-policy', policy: 'strict' },
      { v: 1, type: 'set-send-key', epoch: 1, key: new Uint8Array(31) },
      { v: 1, type: 'set-send-key', epoch: -1, key: new Uint8Array(32) },
      { v: 1, type: 'set-send-key', epoch: 1, key: Array.from(new Uint8Array(32)) },
      { v: 1, type: 'set-policy', policy: 'off' },
      { v: 1, type: 'attach-streams', transformId: 'x', direction: 'sideways', readable: new ReadableStream(), writable: new WritableStream() },
      { v: 1, type: 'attach-streams', transformId: 'x', direction: 'send', readable: {}, writable: {} },
      { v: 1, type: 'attach-streams', transformId: 'x', direction: 'send', readable: new ReadableStream(), writable: new WritableStream(), payloadTypes: { 300: 'vp8' } },
      { v: 1, type: 'stats-request', requestId: 'a' },
    ];
    for (const b of bad) expect(parseControlMessage(b).ok).toBe(false);
    for (const b of bad) w.port.postMessage(b);
    expect(w.port.events.filter((e) => e.type === 'rejected').length).toBe(bad.length);
    expect(w.handle.stats().length).toBe(0);
  });
});
