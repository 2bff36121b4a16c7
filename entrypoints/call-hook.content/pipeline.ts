/**
 * Where one call's frames are transformed: lib/media's worker body, either in a real worker (a
 * blob URL built from the inlined bundle) or, when the page's CSP forbids blob workers, on the
 * main thread over the same streams (Chromium only: Firefox's RTCRtpScriptTransform needs a real
 * worker, so there it fails closed). Both are driven through the same control port.
 */
import { startMediaWorker, type WorkerScopeLike } from '../../lib/media/worker-main';
import type { MediaPolicy, WorkerEvent } from '../../lib/media/worker-protocol';
import type { Pristine } from './pristine';
import MediaWorker from './worker.ts?worker&inline';

export type PipelineKind = 'worker' | 'main-thread' | 'none';

export interface Pipeline {
  kind: PipelineKind;
  /** The real worker (Firefox needs it for RTCRtpScriptTransform), or null. */
  worker: Worker | null;
  port: MessagePort;
  onEvent: ((e: WorkerEvent) => void) | null;
  terminate(): void;
}

/** Probed once at document_start: may this page start blob workers? */
let probe: Promise<boolean> | null = null;

export function probeBlobWorkers(p: Pristine): Promise<boolean> {
  probe ??= new Promise<boolean>((resolve) => {
    let w: Worker;
    try {
      w = new MediaWorker();
    } catch {
      resolve(false);
      return;
    }
    const ch = new p.MessageChannel();
    const done = (v: boolean): void => {
      p.clearTimeout(timer);
      try {
        w.terminate();
      } catch {
        /* already gone */
      }
      resolve(v);
    };
    const timer = p.setTimeout(() => done(false), 3000);
    w.addEventListener('error', () => done(false));
    ch.port1.onmessage = (e: MessageEvent) => done((e.data as { type?: string } | null)?.type === 'ready');
    w.postMessage({ v: 1, type: 'veil-media-init', port: ch.port2, policy: 'strict' }, [ch.port2]);
  });
  return probe;
}

function wire(port: MessagePort, pipeline: Pipeline): void {
  port.onmessage = (e: MessageEvent) => pipeline.onEvent?.(e.data as WorkerEvent);
}

export function createPipeline(p: Pristine, kind: 'worker' | 'main-thread', policy: MediaPolicy): Pipeline {
  const ch = new p.MessageChannel();
  if (kind === 'worker') {
    const worker = new MediaWorker();
    const pipeline: Pipeline = { kind, worker, port: ch.port1, onEvent: null, terminate: () => worker.terminate() };
    wire(ch.port1, pipeline);
    worker.postMessage({ v: 1, type: 'veil-media-init', port: ch.port2, policy }, [ch.port2]);
    return pipeline;
  }
  // Same worker body on this thread: a fake global scope that only Veil holds.
  const scope: WorkerScopeLike = { onmessage: null, onrtctransform: null };
  startMediaWorker(scope);
  const pipeline: Pipeline = { kind, worker: null, port: ch.port1, onEvent: null, terminate: () => ch.port1.close() };
  wire(ch.port1, pipeline);
  scope.onmessage?.({ data: { v: 1, type: 'veil-media-init', port: ch.port2, policy } });
  return pipeline;
}
