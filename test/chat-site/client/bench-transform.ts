// `?transform=pass|copy` on the video page (benchmark hook, Chromium): the page itself attaches
// encoded-frame transforms to every sender and receiver, running in a worker, without Veil.
//   pass: every frame goes through the worker unchanged (the browser's cost of the streams);
//   copy: the worker also reads each frame's bytes and writes a new buffer of the same bytes
//         (the least any frame-encrypting transform does).
// The difference to a plain call is the floor of what insertable-streams E2EE costs in this
// browser; Veil's cost above it is its own.

type Mode = 'pass' | 'copy';

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
type WithStreams = { createEncodedStreams?: () => EncodedStreams };

const WORKER_SOURCE = `
onmessage = (e) => {
  const { readable, writable, copy } = e.data;
  readable.pipeThrough(new TransformStream({
    transform(frame, controller) {
      if (copy) frame.data = new Uint8Array(frame.data).slice().buffer;
      controller.enqueue(frame);
    },
  })).pipeTo(writable).catch(() => {});
};`;

const param = new URLSearchParams(location.search).get('transform');
export const benchTransform: Mode | null = param === 'pass' || param === 'copy' ? param : null;

let worker: Worker | null = null;

function attach(target: WithStreams): void {
  if (benchTransform === null || typeof target.createEncodedStreams !== 'function') return;
  worker ??= new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  const { readable, writable } = target.createEncodedStreams();
  worker.postMessage({ readable, writable, copy: benchTransform === 'copy' }, [readable as unknown as Transferable, writable as unknown as Transferable]);
}

/** RTCPeerConnection configuration extra that Chromium needs before createEncodedStreams. */
export function benchTransformConfig(): RTCConfiguration {
  return benchTransform === null ? {} : ({ encodedInsertableStreams: true } as RTCConfiguration);
}

export function attachBenchSender(sender: RTCRtpSender): void {
  attach(sender as unknown as WithStreams);
}

export function attachBenchReceiver(receiver: RTCRtpReceiver): void {
  attach(receiver as unknown as WithStreams);
}
