// The call of the random-video-chat pages (the chat site's video page and the random-chat
// replicas): one RTCPeerConnection per partner the server pairs us with, signaling through the
// chat WebSocket, no STUN/TURN (host candidates only), the page's own fake camera and microphone.
import type { ClientFrame, ServerFrame } from '../protocol.ts';
import { attachBenchReceiver, attachBenchSender, benchTransformConfig } from './bench-transform.ts';
import { createFakeMedia, HEIGHT, SQUARE, STRIP_Y, WIDTH, type FakeMedia } from './fake-media.ts';

export type CallState = 'idle' | 'waiting' | 'connecting' | 'connected' | 'failed';

type Signal =
  | { kind: 'offer'; sdp: string }
  | { kind: 'answer'; sdp: string }
  | { kind: 'ice'; candidate: RTCIceCandidateInit | null };

export interface CallStats {
  video: {
    framesDecoded: number;
    framesReceived: number;
    packetsReceived: number;
    framesSent: number;
    packetsSent: number;
    /** mimeType of the codec the inbound video uses (getStats codecId -> codec). */
    codec: string;
    /** mimeType of the codec the outbound video uses. */
    sendCodec: string;
  };
  audio: { packetsReceived: number; packetsSent: number; audioLevel: number; totalAudioEnergy: number };
  connectionState: string;
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface PixelSample {
  width: number;
  height: number;
  left: Rgb;
  right: Rgb;
  strip: Rgb;
  /** Centre x (in 320-wide pattern units) of the green square in the strip, or null if absent. */
  greenX: number | null;
}

export interface CallHooks {
  readonly pc: RTCPeerConnection | null;
  readonly state: CallState;
  readonly partner: string | null;
  readonly media: FakeMedia | null;
  /** The `codec` query parameter (vp8, vp9, av1, h264) and what applying it did. */
  readonly codecPreference: CodecPreference;
  start(): Promise<void>;
  next(): void;
  /** Hangs up and leaves the queue (the random-chat sites' Stop). */
  stop(): void;
  stats(): Promise<CallStats>;
  samplePixels(): PixelSample | null;
}

declare global {
  interface Window {
    __call?: CallHooks;
  }
}

export interface CodecPreference {
  /** Requested video codec (lowercase, e.g. "vp9"), or null when the page negotiates freely. */
  wanted: string | null;
  /** 'unset' without the parameter; 'applied' once setCodecPreferences took it; else why not. */
  state: 'unset' | 'applied' | 'unsupported' | 'failed';
  detail: string;
}

/** `?codec=vp8|vp9|av1|h264`: the video codec this page insists on (test hook for real codecs). */
const VIDEO_CODECS: Record<string, string> = { vp8: 'video/vp8', vp9: 'video/vp9', av1: 'video/av1', h264: 'video/h264' };
const codecParam = new URLSearchParams(location.search).get('codec')?.toLowerCase() ?? null;
const codecPreference: CodecPreference = { wanted: codecParam, state: 'unset', detail: '' };
/** `&rtx=0` (with `codec`): no retransmission stream either (tests what RTX does to frames). */
const withRtx = new URLSearchParams(location.search).get('rtx') !== '0';

/**
 * Restricts the connection's video transceivers to the wanted codec (plus rtx, which carries its
 * retransmissions). Both sides apply it, so the offer and the answer list only that codec and the
 * call really uses it. Profiles/variants of the codec the browser cannot send are dropped.
 */
function preferVideoCodec(conn: RTCPeerConnection): void {
  if (codecParam === null) return;
  const mime = VIDEO_CODECS[codecParam];
  if (!mime) {
    codecPreference.state = 'unsupported';
    codecPreference.detail = `unknown codec parameter ${codecParam}`;
    return;
  }
  const recv = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
  const sendable = new Set((RTCRtpSender.getCapabilities('video')?.codecs ?? []).map((c) => `${c.mimeType.toLowerCase()} ${c.sdpFmtpLine ?? ''}`));
  const wanted = recv.filter((c) => c.mimeType.toLowerCase() === mime && sendable.has(`${mime} ${c.sdpFmtpLine ?? ''}`));
  if (wanted.length === 0) {
    codecPreference.state = 'unsupported';
    codecPreference.detail = `${mime} is not both sendable and receivable here`;
    return;
  }
  const rtx = withRtx ? recv.filter((c) => c.mimeType.toLowerCase() === 'video/rtx') : [];
  try {
    for (const t of conn.getTransceivers()) {
      if (t.sender.track?.kind === 'video' || t.receiver.track.kind === 'video') t.setCodecPreferences([...wanted, ...rtx]);
    }
    codecPreference.state = 'applied';
    codecPreference.detail = wanted.map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim()).join(', ');
  } catch (err) {
    codecPreference.state = 'failed';
    codecPreference.detail = String(err);
  }
}

function isSignal(v: unknown): v is Signal {
  if (typeof v !== 'object' || v === null) return false;
  const k = (v as { kind?: unknown }).kind;
  return k === 'offer' || k === 'answer' ? typeof (v as { sdp?: unknown }).sdp === 'string' : k === 'ice';
}

export interface CallTransport {
  sendFrame(frame: ClientFrame): void;
  onFrame(fn: (frame: ServerFrame) => void): void;
}

export interface CallElements {
  local: HTMLVideoElement;
  remote: HTMLVideoElement;
  remoteAudio: HTMLAudioElement;
  onState(state: CallState): void;
  onPartner(partner: string | null): void;
}

/** The call machinery over a chat connection and the page's video elements. */
export function createCall(transport: CallTransport, els: CallElements): CallHooks {
  let media: FakeMedia | null = null;
  let pc: RTCPeerConnection | null = null;
  let state: CallState = 'idle';
  let partner: string | null = null;
  let pendingIce: RTCIceCandidateInit[] = [];

  function setState(s: CallState): void {
    state = s;
    els.onState(s);
  }

  function hangup(): void {
    pc?.close();
    pc = null;
    pendingIce = [];
    partner = null;
    els.onPartner(null);
    els.remote.srcObject = null;
    els.remoteAudio.srcObject = null;
  }

  function newPeer(): RTCPeerConnection {
    const conn = new RTCPeerConnection({ iceServers: [], ...benchTransformConfig() });
    if (media) for (const track of media.stream.getTracks()) attachBenchSender(conn.addTrack(track, media.stream));
    preferVideoCodec(conn);
    conn.onicecandidate = (e) => transport.sendFrame({ t: 'signal', payload: { kind: 'ice', candidate: e.candidate ? e.candidate.toJSON() : null } });
    conn.ontrack = (e) => {
      attachBenchReceiver(e.receiver);
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      if (e.track.kind === 'video') {
        els.remote.srcObject = stream;
        void els.remote.play().catch(() => undefined);
      } else {
        els.remoteAudio.srcObject = new MediaStream([e.track]);
        void els.remoteAudio.play().catch(() => undefined);
      }
    };
    conn.onconnectionstatechange = () => {
      if (conn !== pc) return;
      if (conn.connectionState === 'connected') setState('connected');
      else if (conn.connectionState === 'failed') setState('failed');
    };
    return conn;
  }

  async function onSignal(payload: unknown): Promise<void> {
    if (!isSignal(payload) || !pc) return;
    const conn = pc;
    if (payload.kind === 'offer') {
      await conn.setRemoteDescription({ type: 'offer', sdp: payload.sdp });
      await conn.setLocalDescription(await conn.createAnswer());
      transport.sendFrame({ t: 'signal', payload: { kind: 'answer', sdp: conn.localDescription?.sdp ?? '' } });
    } else if (payload.kind === 'answer') {
      await conn.setRemoteDescription({ type: 'answer', sdp: payload.sdp });
    } else {
      if (!payload.candidate) return;
      if (!conn.remoteDescription) {
        pendingIce.push(payload.candidate);
        return;
      }
      await conn.addIceCandidate(payload.candidate);
      return;
    }
    for (const c of pendingIce.splice(0)) await conn.addIceCandidate(c);
  }

  transport.onFrame((f) => {
    if (f.t === 'video-waiting') {
      hangup();
      setState('waiting');
    } else if (f.t === 'video-hangup') {
      hangup();
    } else if (f.t === 'video-paired') {
      hangup();
      partner = f.partner;
      els.onPartner(f.partner);
      setState('connecting');
      pc = newPeer();
      if (f.initiator) {
        const conn = pc;
        void (async () => {
          await conn.setLocalDescription(await conn.createOffer());
          transport.sendFrame({ t: 'signal', payload: { kind: 'offer', sdp: conn.localDescription?.sdp ?? '' } });
        })().catch((err: unknown) => console.error('offer failed', err));
      }
    } else if (f.t === 'signal') {
      void onSignal(f.payload).catch((err: unknown) => console.error('signal failed', err));
    }
  });

  async function start(): Promise<void> {
    if (!media) {
      media = createFakeMedia();
      els.local.srcObject = media.stream;
      void els.local.play().catch(() => undefined);
    }
    // Called from the Start click (a user gesture), so autoplay policy lets audio run. Not awaited:
    // without an audio output device (Firefox headless) resume() may never settle.
    void media.audioContext.resume().catch(() => undefined);
    transport.sendFrame({ t: 'video-start' });
  }

  function next(): void {
    hangup();
    transport.sendFrame({ t: 'video-next' });
  }

  function stop(): void {
    hangup();
    transport.sendFrame({ t: 'video-stop' });
    setState('idle');
  }

  async function stats(): Promise<CallStats> {
    const out: CallStats = {
      video: { framesDecoded: 0, framesReceived: 0, packetsReceived: 0, framesSent: 0, packetsSent: 0, codec: '', sendCodec: '' },
      audio: { packetsReceived: 0, packetsSent: 0, audioLevel: 0, totalAudioEnergy: 0 },
      connectionState: pc?.connectionState ?? 'none',
    };
    if (!pc) return out;
    const report = await pc.getStats();
    const codecs = new Map<string, string>();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'codec' && typeof s.id === 'string') codecs.set(s.id, typeof s.mimeType === 'string' ? s.mimeType : '');
    });
    const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
    report.forEach((s: Record<string, unknown>) => {
      const kind = s.kind ?? s.mediaType;
      if (s.type === 'inbound-rtp' && kind === 'video') {
        out.video.framesDecoded += num(s.framesDecoded);
        out.video.framesReceived += num(s.framesReceived);
        out.video.packetsReceived += num(s.packetsReceived);
        if (typeof s.codecId === 'string') out.video.codec = codecs.get(s.codecId) ?? '';
      } else if (s.type === 'outbound-rtp' && kind === 'video') {
        out.video.framesSent += num(s.framesSent);
        out.video.packetsSent += num(s.packetsSent);
        if (typeof s.codecId === 'string') out.video.sendCodec = codecs.get(s.codecId) ?? '';
      } else if (s.type === 'inbound-rtp' && kind === 'audio') {
        out.audio.packetsReceived += num(s.packetsReceived);
        out.audio.audioLevel = Math.max(out.audio.audioLevel, num(s.audioLevel));
        out.audio.totalAudioEnergy += num(s.totalAudioEnergy);
      } else if (s.type === 'outbound-rtp' && kind === 'audio') {
        out.audio.packetsSent += num(s.packetsSent);
      }
    });
    return out;
  }

  const sampler = document.createElement('canvas');
  sampler.width = WIDTH;
  sampler.height = HEIGHT;

  function samplePixels(): PixelSample | null {
    if (els.remote.readyState < 2 || els.remote.videoWidth === 0) return null;
    const ctx = sampler.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    // Scale whatever resolution arrived back to pattern coordinates.
    ctx.drawImage(els.remote, 0, 0, WIDTH, HEIGHT);
    const mean = (x: number, y: number, w: number, h: number): Rgb => {
      const d = ctx.getImageData(x, y, w, h).data;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let i = 0; i < d.length; i += 4) {
        r += d[i] ?? 0;
        g += d[i + 1] ?? 0;
        b += d[i + 2] ?? 0;
      }
      const n = d.length / 4;
      return { r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n) };
    };
    const strip = ctx.getImageData(0, STRIP_Y + 15, WIDTH, SQUARE - 10).data;
    let sumX = 0;
    let count = 0;
    for (let i = 0; i < strip.length; i += 4) {
      const r = strip[i] ?? 0;
      const g = strip[i + 1] ?? 0;
      const b = strip[i + 2] ?? 0;
      if (g > 150 && r < 100 && b < 100) {
        sumX += (i / 4) % WIDTH;
        count++;
      }
    }
    return {
      width: els.remote.videoWidth,
      height: els.remote.videoHeight,
      left: mean(20, 20, 120, 140),
      right: mean(180, 20, 120, 140),
      strip: mean(0, STRIP_Y + 5, WIDTH, HEIGHT - STRIP_Y - 10),
      greenX: count > 20 ? Math.round(sumX / count) : null,
    };
  }

  return {
    get pc() {
      return pc;
    },
    get state() {
      return state;
    },
    get partner() {
      return partner;
    },
    get media() {
      return media;
    },
    get codecPreference() {
      return { ...codecPreference };
    },
    start,
    next,
    stop,
    stats,
    samplePixels,
  };
}
