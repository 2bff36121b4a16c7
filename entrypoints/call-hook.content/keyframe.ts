/**
 * Key frames after a send key change, on Chromium's encoded-streams path.
 *
 * The worker reports `need-keyframe` for a sender whose key changed (the peer cannot decode delta
 * frames that follow frames it could not decrypt). Firefox's RTCRtpScriptTransformer has
 * generateKeyFrame(), called in the worker. Chromium's createEncodedStreams() has no such call and
 * Chromium 156 has no RTCRtpSender.generateKeyFrame; it does implement the webrtc-extensions
 * `setParameters(params, { encodingOptions: [{ keyFrame: true }] })`: verified in headless
 * Chromium 156 with encoded streams attached, each call adds one to outbound keyFramesEncoded.
 *
 * getParameters() and setParameters() run back to back in one task, so a page's own
 * getParameters/setParameters pair (which must also run in one task) is never invalidated.
 */

type GetParameters = (this: RTCRtpSender) => RTCRtpSendParameters;
type SetParameters = (this: RTCRtpSender, p: RTCRtpSendParameters, options?: { encodingOptions?: Array<{ keyFrame?: boolean }> }) => Promise<void>;
type TrackGetter = (this: RTCRtpSender) => MediaStreamTrack | null;

/** What the requester needs of a sender; injected in tests. */
export interface SenderOps {
  /** 'video', 'audio', or null (no track / unknown). */
  kind(sender: RTCRtpSender): string | null;
  /** Asks the sender's encoder(s) for a key frame. */
  keyFrame(sender: RTCRtpSender): Promise<void>;
}

/** Captured when the module loads (document_start, before any page script). */
function pristineOps(): SenderOps | null {
  if (typeof RTCRtpSender === 'undefined') return null;
  const proto = RTCRtpSender.prototype;
  const get = proto.getParameters as GetParameters | undefined;
  const set = proto.setParameters as SetParameters | undefined;
  const track = Object.getOwnPropertyDescriptor(proto, 'track')?.get as TrackGetter | undefined;
  if (typeof get !== 'function' || typeof set !== 'function' || typeof track !== 'function') return null;
  return {
    kind: (s) => track.call(s)?.kind ?? null,
    keyFrame: (s) => {
      const params = get.call(s);
      const n = Math.max(1, params.encodings.length);
      return set.call(s, params, { encodingOptions: Array.from({ length: n }, () => ({ keyFrame: true })) });
    },
  };
}

const PRISTINE = pristineOps();

/** At most one request per sender in this window: a burst of key changes needs one key frame. */
export const KEYFRAME_MIN_INTERVAL_MS = 500;

export class KeyFrameRequester {
  private readonly senders = new Map<string, RTCRtpSender>();
  private readonly lastAt = new Map<string, number>();

  constructor(
    private readonly ops: SenderOps | null = PRISTINE,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Remembers which sender a send transform belongs to. */
  track(transformId: string, sender: RTCRtpSender): void {
    this.senders.set(transformId, sender);
  }

  /** Requests a key frame for a video sender's transform; returns whether it asked. Never throws. */
  request(transformId: string): boolean {
    const sender = this.senders.get(transformId);
    if (!sender || !this.ops) return false;
    const t = this.now();
    const last = this.lastAt.get(transformId);
    if (last !== undefined && t - last < KEYFRAME_MIN_INTERVAL_MS) return false;
    try {
      if (this.ops.kind(sender) !== 'video') return false;
      this.lastAt.set(transformId, t);
      void this.ops.keyFrame(sender).catch(() => undefined);
      return true;
    } catch {
      return false; // e.g. the connection closed: nothing to ask
    }
  }
}
