/**
 * One RTCPeerConnection = one call: its transform pipeline, the transforms on every sender and
 * receiver, its keys (bound to both DTLS fingerprints), epoch rotation and the status report.
 */
import { EpochChain } from '../../lib/calls/call-keys';
import { KeySchedule, type KeyAction } from '../../lib/calls/schedule';
import { callIdFromSdp, keepFirstBinding, type SdpCallBinding } from '../../lib/calls/sdp';
import { buildReport, BypassWatch, ReportGate, type CallReport, type KeyState, type PlatformStream, type WatchedTransform } from '../../lib/calls/status';
import type { Direction, MediaKind, TransformStats } from '../../lib/media/transform';
import type { MediaPolicy, WorkerEvent } from '../../lib/media/worker-protocol';
import type { BridgeClient } from './bridge-client';
import { KeyFrameRequester } from './keyframe';
import { createPipeline, probeBlobWorkers, type Pipeline, type PipelineKind } from './pipeline';
import type { Pristine } from './pristine';

const TICK_MS = 1000;
/** For fire-and-forget work whose failure the next tick or key retry covers (and the page must not see). */
const ignore = (): undefined => undefined;
const KEY_RETRY_MS = 4000;

export type MediaPath = 'streams' | 'script';

export interface CallEnv {
  p: Pristine;
  bridge: BridgeClient;
  path: MediaPath;
}

function randomRef(p: Pristine): string {
  const b = p.randomValues(new Uint8Array(12));
  return Array.from(b, (x) => (x % 36).toString(36)).join('');
}

type Endpoint = RTCRtpSender | RTCRtpReceiver;

export class CallController {
  readonly callRef: string;
  private pipeline: Pipeline | null = null;
  private pipelineKind: PipelineKind | null = null;
  private readonly queued: Array<(pl: Pipeline) => void> = [];
  private readonly attached = new WeakSet<Endpoint>();
  /** transformId -> the sender or receiver it sits on (for the transceiver's mid). */
  private readonly endpoints = new Map<string, Endpoint>();
  private attachedCount = 0;
  private transformSeq = 0;
  private keys: KeyState = 'unknown';
  private schedule: KeySchedule | null = null;
  /** Fingerprints and ICE tags of the first complete description pair: what the keys are bound to. */
  private binding: SdpCallBinding | null = null;
  private nextKeyTry = 0;
  private keyRequestInFlight = false;
  private statsReq = 1;
  private readonly statsWaiters = new Map<number, (t: Array<{ transformId: string; stats: TransformStats }>) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ended = false;
  private sendersBlocked = false;
  /** Chromium (encoded streams): key frames after a send key change; Firefox does it in the worker. */
  private readonly keyFrames = new KeyFrameRequester();
  private readonly reportGate = new ReportGate();
  private readonly bypassWatch = new BypassWatch();

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly env: CallEnv,
  ) {
    this.callRef = randomRef(env.p);
    const start = (kind: PipelineKind): void => {
      if (this.ended) return;
      this.pipelineKind = kind;
      if (kind === 'none') return;
      let pl: Pipeline;
      try {
        pl = createPipeline(env.p, kind, this.policy());
      } catch {
        // e.g. the Worker constructor throws under the page's CSP: never break the page's call setup.
        this.pipelineKind = 'none';
        return;
      }
      pl.onEvent = (e) => this.onWorkerEvent(e);
      this.pipeline = pl;
      for (const fn of this.queued.splice(0)) fn(pl);
    };
    if (env.path === 'script') {
      // RTCRtpScriptTransform needs the worker now; if the page forbids blob workers the probe
      // says so and frames stop (Firefox has no main-thread path: fail closed).
      start('worker');
      void probeBlobWorkers(env.p)
        .then((allowed) => {
          if (!allowed) this.pipelineKind = 'none';
        })
        .catch(ignore);
    } else {
      void probeBlobWorkers(env.p)
        .then((allowed) => start(allowed ? 'worker' : 'main-thread'))
        .catch(ignore);
    }
    env.bridge.onPolicy((strict) => {
      if (strict) this.post({ v: 1, type: 'set-policy', policy: 'strict' });
    });
    this.timer = env.p.setInterval(() => void this.tick().catch(ignore), TICK_MS);
  }

  private policy(): MediaPolicy {
    return this.env.bridge.strict ? 'strict' : 'encrypt';
  }

  private withPipeline(fn: (pl: Pipeline) => void): void {
    if (this.pipeline) fn(this.pipeline);
    else this.queued.push(fn);
  }

  private post(msg: Record<string, unknown>, transfer: Transferable[] = []): void {
    this.withPipeline((pl) => {
      try {
        pl.port.postMessage(msg, transfer);
      } catch {
        /* pipeline gone */
      }
    });
  }

  /** Puts Veil's transform on a sender or receiver (once each). */
  attach(endpoint: Endpoint, direction: Direction, kind: MediaKind | undefined): void {
    if (this.ended || this.attached.has(endpoint)) return;
    const transformId = `${direction[0]}${++this.transformSeq}`;
    const desc = { transformId, direction, ...(kind ? { kind } : {}) };
    const p = this.env.p;
    try {
      if (this.env.path === 'streams') {
        const create = direction === 'send' ? p.createEncodedStreams : p.createEncodedStreamsReceiver;
        if (!create) return;
        const { readable, writable } = create.call(endpoint as RTCRtpSender & RTCRtpReceiver);
        this.attached.add(endpoint);
        this.attachedCount++;
        this.endpoints.set(transformId, endpoint);
        if (direction === 'send') this.keyFrames.track(transformId, endpoint as RTCRtpSender);
        this.post({ v: 1, type: 'attach-streams', ...desc, readable, writable }, [readable as unknown as Transferable, writable as unknown as Transferable]);
      } else {
        const worker = this.pipeline?.worker;
        if (!worker || !p.RTCRtpScriptTransform) return;
        (endpoint as RTCRtpSender).transform = new p.RTCRtpScriptTransform(worker, { v: 1, veil: 'media', ...desc });
        this.attached.add(endpoint);
        this.attachedCount++;
        this.endpoints.set(transformId, endpoint);
      }
    } catch {
      // e.g. streams already created by someone else: counted as unattached by the status check.
    }
  }

  /** Every transceiver's sender and receiver (after negotiation new ones may exist). */
  attachAll(): void {
    let list: RTCRtpTransceiver[] = [];
    try {
      list = this.env.p.getTransceivers.call(this.pc);
    } catch {
      return;
    }
    for (const t of list) {
      const kind = (t.receiver.track?.kind as MediaKind | undefined) ?? undefined;
      this.attach(t.sender, 'send', kind);
      this.attach(t.receiver, 'receive', kind);
    }
  }

  /**
   * After each local/remote description: bind the call to both DTLS fingerprints and both ICE
   * credentials. The first complete pair fixes the binding: renegotiations and ICE restarts change
   * ufrag/pwd but not the call; new DTLS identities on the same connection refuse the keys.
   */
  onDescription(): void {
    this.attachAll();
    const local = this.env.p.localDescription(this.pc);
    const remote = this.env.p.remoteDescription(this.pc);
    if (!local || !remote) return;
    const id = callIdFromSdp(local.sdp, remote.sdp);
    if (!id.ok) return;
    const first = this.binding === null;
    const next = keepFirstBinding(this.binding, id.value);
    if (next.dtlsChanged) {
      // New DTLS identities on the same connection: the keys are no longer bound to it.
      this.keys = 'refused';
      return;
    }
    this.binding = next.binding;
    if (first) void this.requestKeys().catch(ignore);
  }

  private async requestKeys(): Promise<void> {
    if (this.ended || this.keyRequestInFlight || this.binding === null || this.keys === 'installed' || this.keys === 'refused') return;
    this.keyRequestInFlight = true;
    if (this.keys === 'unknown') this.keys = 'requested';
    const binding = this.binding;
    const reply = await this.env.bridge.requestKeys(this.callRef, binding);
    this.keyRequestInFlight = false;
    // The connection may have changed DTLS identities while the request was out.
    if (this.ended || (this.keys as KeyState) === 'refused') return;
    if (!reply.ok) {
      if (reply.code === 'call-reused') {
        // Another connection already got this call's keys: using them again would reuse nonces.
        this.keys = 'refused';
        return;
      }
      this.keys = reply.code === 'no-session' ? 'no-session' : this.keys === 'requested' ? 'requested' : this.keys;
      this.nextKeyTry = Date.now() + KEY_RETRY_MS;
      return;
    }
    // The background recomputed the id from what we sent: it must be this connection's.
    if (reply.callId !== binding.callId) {
      this.keys = 'refused';
      return;
    }
    const send = EpochChain.fromHex(reply.sendChain);
    const recv = EpochChain.fromHex(reply.recvChain);
    if (!send || !recv) return;
    this.schedule = new KeySchedule(send, recv);
    this.keys = 'installed';
    this.apply(this.schedule.start(Date.now()));
  }

  private apply(actions: KeyAction[]): void {
    for (const a of actions) this.post({ v: 1, type: a.type, epoch: a.epoch, key: a.key });
  }

  private onWorkerEvent(e: WorkerEvent): void {
    if (!e || typeof e !== 'object') return;
    if (e.type === 'need-keyframe' && e.direction === 'send') this.keyFrames.request(e.transformId);
    if (e.type === 'stats') {
      const waiter = this.statsWaiters.get(e.requestId);
      this.statsWaiters.delete(e.requestId);
      waiter?.(e.transforms);
    }
  }

  private workerStats(): Promise<Array<{ transformId: string; stats: TransformStats }> | null> {
    if (!this.pipeline) return Promise.resolve(null);
    const requestId = this.statsReq++;
    return new Promise((resolve) => {
      const timer = this.env.p.setTimeout(() => {
        this.statsWaiters.delete(requestId);
        resolve(null);
      }, 2000);
      this.statsWaiters.set(requestId, (t) => {
        this.env.p.clearTimeout(timer);
        resolve(t);
      });
      this.post({ v: 1, type: 'stats-request', requestId });
    });
  }

  private async platform(): Promise<PlatformStream[] | null> {
    try {
      const report = await this.env.p.getStats.call(this.pc);
      const streams: PlatformStream[] = [];
      report.forEach((s: Record<string, unknown>) => {
        const kind = s.kind ?? s.mediaType;
        if (kind !== 'audio' && kind !== 'video') return;
        const mid = typeof s.mid === 'string' ? s.mid : null;
        if (s.type === 'outbound-rtp' && typeof s.packetsSent === 'number') streams.push({ direction: 'send', kind, mid, packets: s.packetsSent });
        if (s.type === 'inbound-rtp' && typeof s.packetsReceived === 'number') streams.push({ direction: 'receive', kind, mid, packets: s.packetsReceived });
      });
      return streams;
    } catch {
      return null;
    }
  }

  /** Each transform's counters with the mid of its transceiver (null until negotiated). */
  private withMids(list: Array<{ transformId: string; stats: TransformStats }>): WatchedTransform[] {
    let transceivers: RTCRtpTransceiver[] = [];
    try {
      transceivers = this.env.p.getTransceivers.call(this.pc);
    } catch {
      /* closed */
    }
    return list.map(({ transformId, stats }) => {
      const ep = this.endpoints.get(transformId);
      const t = ep === undefined ? undefined : transceivers.find((x) => x.sender === ep || x.receiver === ep);
      return { ...stats, mid: t?.mid ?? null };
    });
  }

  private unattached(): number {
    let n = 0;
    try {
      for (const t of this.env.p.getTransceivers.call(this.pc)) {
        const dir = t.currentDirection;
        if (dir === null || dir === 'inactive' || dir === 'stopped') continue;
        if ((dir === 'sendrecv' || dir === 'sendonly') && !this.attached.has(t.sender)) n++;
        if ((dir === 'sendrecv' || dir === 'recvonly') && !this.attached.has(t.receiver)) n++;
      }
    } catch {
      /* closed */
    }
    return n;
  }

  private async tick(): Promise<void> {
    if (this.ended) return;
    if ((this.keys === 'no-session' || this.keys === 'requested') && Date.now() >= this.nextKeyTry) void this.requestKeys().catch(ignore);
    const stats = await this.workerStats();
    if (this.ended) return;
    const transforms = this.withMids(stats ?? []);
    if (this.schedule) {
      let sent = 0;
      let epoch: number | null = null;
      for (const t of transforms) {
        if (t.direction === 'send') sent += t.audio.encrypted + t.video.encrypted;
        else if (t.lastEpoch !== null) epoch = Math.max(epoch ?? 0, t.lastEpoch);
      }
      this.apply(this.schedule.tick({ now: Date.now(), framesSentTotal: sent, receivedEpoch: epoch }));
    }
    // The browser's RTP counts only decide anything while some transform has shown Veil no frame
    // (one the browser bypasses); getStats is not free, so it is read only then.
    const now = Date.now();
    if (stats === null || this.bypassWatch.due(transforms, now)) this.bypassWatch.record(await this.platform(), now);
    if (this.ended) return;
    const platform = this.bypassWatch.latest;
    const kind = this.pipelineKind ?? 'worker';
    const report: CallReport = buildReport({
      transforms,
      pipeline: kind,
      keys: this.keys,
      strict: this.env.bridge.strict,
      platform,
      unattached: kind === 'none' ? 0 : this.unattached(),
    });
    if (kind === 'none' && (this.keys === 'installed' || this.env.bridge.strict)) this.blockSenders();
    if (this.reportGate.shouldSend(report, Date.now())) this.env.bridge.status(this.callRef, report);
  }

  /** No way to encrypt here (Firefox without a worker): stop sending rather than send clear. */
  private blockSenders(): void {
    if (this.sendersBlocked) return;
    this.sendersBlocked = true;
    try {
      for (const s of this.env.p.getSenders.call(this.pc)) void this.env.p.replaceTrack.call(s, null).catch(() => undefined);
    } catch {
      /* closed */
    }
  }

  end(): void {
    if (this.ended) return;
    this.post({ v: 1, type: 'end-call' });
    this.ended = true;
    if (this.timer !== null) this.env.p.clearInterval(this.timer);
    this.schedule?.stop();
    this.env.bridge.ended(this.callRef);
    const pl = this.pipeline;
    // Let end-call reach the worker before it goes away.
    this.env.p.setTimeout(() => pl?.terminate(), 200);
  }
}
