/**
 * Body of the media transform worker. Wires MediaTransform to:
 *  - Firefox: `onrtctransform` events from RTCRtpScriptTransform (options = ScriptTransformOptions);
 *  - Chromium: a {readable, writable} pair from createEncodedStreams() transferred in an
 *    `attach-streams` control message (Chromium 156 silently skips receiver script transforms).
 *
 * Written against minimal local interfaces (no DOM types). The extension's worker entrypoint calls
 * `startMediaWorker(self)`; tests call it with a fake scope and Node's WHATWG streams.
 */

import type { AsyncAead, SyncAead } from './frame-crypto.ts';
import { MediaKeyRing, type KeyRingOptions } from './key-ring.ts';
import { MediaTransform, type Direction, type EncodedFrameLike, type TransformMode, type TransformStats } from './transform.ts';
import {
  parseControlMessage,
  parseInitMessage,
  parseScriptTransformOptions,
  type ControlMessage,
  type MediaPolicy,
  type MessagePortLike,
  type ReadableLike,
  type TransformDescriptor,
  type WorkerEvent,
  type WritableLike,
} from './worker-protocol.ts';

export interface ScriptTransformerLike {
  readable: ReadableLike<unknown>;
  writable: WritableLike<unknown>;
  options?: unknown;
  generateKeyFrame?(): Promise<unknown>;
  sendKeyFrameRequest?(): Promise<unknown>;
}

/** The TransformStream constructor of the scope (WHATWG streams), when it has one. */
export interface TransformStreamCtorLike {
  new (transformer: { transform(chunk: unknown, controller: { enqueue(chunk: unknown): void }): void }): { readable: unknown; writable: unknown };
}

interface PipeableLike {
  pipeThrough(transform: { readable: unknown; writable: unknown }): { pipeTo(destination: unknown): Promise<void> };
}

export interface WorkerScopeLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  onrtctransform?: ((event: { transformer: ScriptTransformerLike }) => void) | null;
  /**
   * With it, frames flow through the browser's own pipe (readable -> transform -> writable)
   * instead of a script loop with two awaited promises per frame: the same decisions, less work
   * per frame.
   */
  TransformStream?: TransformStreamCtorLike;
}

export interface MediaWorkerOptions {
  ring?: KeyRingOptions;
  aead?: SyncAead;
  /** Not used by the pipeline (which is synchronous); accepted so callers can share one config. */
  asyncAead?: AsyncAead;
}

export interface MediaWorkerHandle {
  readonly ring: MediaKeyRing;
  /** Resolves when every attached pipe has finished (streams closed). */
  idle(): Promise<void>;
  stats(): Array<{ transformId: string; stats: TransformStats }>;
  rejectedMessages(): number;
}

function isFrame(x: unknown): x is EncodedFrameLike {
  return typeof x === 'object' && x !== null && (x as { data?: unknown }).data instanceof ArrayBuffer;
}

function modeFor(policy: MediaPolicy, direction: Direction): TransformMode {
  if (policy === 'encrypt') return direction === 'send' ? 'encrypt' : 'decrypt';
  return policy;
}

export function startMediaWorker(scope: WorkerScopeLike, options: MediaWorkerOptions = {}): MediaWorkerHandle {
  const ring = new MediaKeyRing(options.ring);
  const transforms = new Map<string, MediaTransform>();
  const pipes: Array<Promise<void>> = [];
  let port: MessagePortLike | null = null;
  let policy: MediaPolicy = 'strict'; // until Veil's init says otherwise, nothing passes in clear
  let rejected = 0;

  const emit = (event: WorkerEvent): void => {
    port?.postMessage(event);
  };
  const reject = (of: string, reason: string): void => {
    rejected++;
    emit({ v: 1, type: 'rejected', of, reason });
  };

  const pipe = (desc: TransformDescriptor, readable: ReadableLike<unknown>, writable: WritableLike<unknown>, transformer?: ScriptTransformerLike): void => {
    if (transforms.has(desc.transformId)) {
      reject('attach', 'duplicate transformId');
      return;
    }
    const t = new MediaTransform({
      direction: desc.direction,
      mode: modeFor(policy, desc.direction),
      ring,
      ...(desc.kind !== undefined ? { kind: desc.kind } : {}),
      ...(desc.payloadTypes !== undefined ? { payloadTypes: desc.payloadTypes } : {}),
      ...(options.aead !== undefined ? { aead: options.aead } : {}),
    });
    transforms.set(desc.transformId, t);
    /** One frame: the transform's decision; returns the frame to forward, or null to drop it. */
    const handle = (value: unknown): EncodedFrameLike | null => {
      if (!isFrame(value)) return null; // not an encoded frame: never forwarded
      const decision = t.process(value);
      if (t.takeNeedKeyframe()) {
        emit({ v: 1, type: 'need-keyframe', transformId: desc.transformId, direction: desc.direction });
        const req = desc.direction === 'send' ? transformer?.generateKeyFrame?.() : transformer?.sendKeyFrameRequest?.();
        req?.catch(() => undefined);
      }
      if (decision.action === 'drop') return null;
      if (decision.outcome === 'encrypted' || decision.outcome === 'decrypted') value.data = decision.data;
      return value;
    };
    const Stream = scope.TransformStream;
    const pipeable = readable as unknown as Partial<PipeableLike>;
    if (Stream !== undefined && typeof pipeable.pipeThrough === 'function') {
      // A throw in transform() errors the pipe and ends it, as a broken stream ends the loop below.
      const ts = new Stream({
        transform(chunk, controller) {
          const out = handle(chunk);
          if (out !== null) controller.enqueue(out);
        },
      });
      pipes.push(
        (pipeable as PipeableLike)
          .pipeThrough(ts)
          .pipeTo(writable)
          .catch(() => undefined),
      );
      return;
    }
    const run = async (): Promise<void> => {
      const reader = readable.getReader();
      const writer = writable.getWriter();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const out = handle(value);
          if (out !== null) await writer.write(out);
        }
        await writer.close();
      } catch {
        // A broken stream ends this pipe; stats keep showing what happened until then.
      } finally {
        reader.releaseLock();
        writer.releaseLock();
      }
    };
    pipes.push(run());
  };

  const handleControl = (msg: ControlMessage): void => {
    switch (msg.type) {
      case 'set-send-key': {
        const r = ring.setSendKey(msg.epoch, msg.key);
        if (r.ok) emit({ v: 1, type: 'ack', of: msg.type });
        else reject(msg.type, r.error.code);
        return;
      }
      case 'add-receive-key': {
        const r = ring.addReceiveKey(msg.epoch, msg.key);
        if (r.ok) emit({ v: 1, type: 'ack', of: msg.type });
        else reject(msg.type, r.error.code);
        return;
      }
      case 'forget-receive-key':
        ring.forgetReceiveKey(msg.epoch);
        emit({ v: 1, type: 'ack', of: msg.type });
        return;
      case 'set-policy': {
        // Downgrade to clear is refused once any key was installed or any transform latched.
        const latched = ring.sendEpoch !== null || ring.hasReceiveKey() || [...transforms.values()].some((t) => t.stats().latched);
        if (msg.policy === 'passthrough' && latched) {
          reject(msg.type, 'latched');
          return;
        }
        for (const t of transforms.values()) t.setMode(modeFor(msg.policy, t.direction));
        policy = msg.policy;
        emit({ v: 1, type: 'ack', of: msg.type });
        return;
      }
      case 'stats-request':
        emit({ v: 1, type: 'stats', requestId: msg.requestId, rejectedMessages: rejected, transforms: statsList() });
        return;
      case 'end-call':
        ring.forgetAll();
        emit({ v: 1, type: 'ack', of: msg.type });
        return;
      case 'attach-streams':
        pipe(msg, msg.readable, msg.writable);
        emit({ v: 1, type: 'ack', of: msg.type });
        return;
    }
  };

  const statsList = (): Array<{ transformId: string; stats: TransformStats }> =>
    [...transforms].map(([transformId, t]) => ({ transformId, stats: t.stats() }));

  scope.onmessage = (event) => {
    if (port !== null) {
      // Control is only accepted on the port; the global scope is reachable by whoever holds the Worker.
      rejected++;
      return;
    }
    const init = parseInitMessage(event.data);
    if (!init.ok) {
      rejected++;
      return;
    }
    port = init.value.port;
    policy = init.value.policy;
    port.onmessage = (e) => {
      const msg = parseControlMessage(e.data);
      if (!msg.ok) {
        reject('unknown', msg.error.detail);
        return;
      }
      handleControl(msg.value);
    };
    port.start?.();
    emit({ v: 1, type: 'ready' });
  };

  scope.onrtctransform = (event) => {
    const transformer = event.transformer;
    const opts = parseScriptTransformOptions(transformer.options);
    if (!opts.ok) {
      // Not ours: leave its streams untouched (frames will not flow, which the page would notice).
      rejected++;
      return;
    }
    pipe(opts.value, transformer.readable, transformer.writable, transformer);
  };

  return {
    ring,
    idle: async () => {
      await Promise.all(pipes);
    },
    stats: statsList,
    rejectedMessages: () => rejected,
  };
}
