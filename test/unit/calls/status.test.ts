import { describe, expect, it } from 'vitest';
import { buildReport, BYPASS_PACKETS, BypassWatch, ReportGate, type PlatformCounts, type PlatformStream, type ReportInput } from '../../../lib/calls/status.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { MediaTransform, type TransformStats } from '../../../lib/media/transform.ts';
import { opusFrame, vp8DeltaFrame } from '../media/frames.ts';

const key = new Uint8Array(32).fill(7);
const MIME = { video: 'video/VP8', audio: 'audio/opus' } as const;
const f = (bytes: Uint8Array, kind: 'audio' | 'video' = 'video') => ({ data: bytes.slice().buffer, type: 'delta' as const, getMetadata: () => ({ mimeType: MIME[kind] }) });
/** Browser RTP streams without mids: audio and video each way, the same count unless given per kind. */
const packets = (sent: number | { audio: number; video: number }, received: number | { audio: number; video: number }): PlatformCounts => {
  const per = (n: number | { audio: number; video: number }, kind: 'audio' | 'video'): number => (typeof n === 'number' ? n : n[kind]);
  return (['audio', 'video'] as const).flatMap((kind): PlatformStream[] => [
    { direction: 'send', kind, mid: null, packets: per(sent, kind) },
    { direction: 'receive', kind, mid: null, packets: per(received, kind) },
  ]);
};

function stats(direction: 'send' | 'receive', opts: { keyed: boolean; frames: number; mode?: 'passthrough' | 'strict'; kind?: 'audio' | 'video' }): TransformStats {
  const kind = opts.kind ?? 'video';
  const ring = new MediaKeyRing();
  const sender = new MediaKeyRing();
  sender.setSendKey(0, key);
  if (opts.keyed) {
    if (direction === 'send') ring.setSendKey(0, key);
    else ring.addReceiveKey(0, key);
  }
  const t = new MediaTransform({ direction, mode: opts.mode ?? (direction === 'send' ? 'encrypt' : 'decrypt'), ring, kind });
  const enc = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: sender, kind });
  for (let i = 0; i < opts.frames; i++) {
    const plain = kind === 'video' ? vp8DeltaFrame(300, i) : opusFrame(80, i);
    if (direction === 'send') t.process(f(plain, kind));
    else {
      const e = enc.process(f(plain, kind));
      if (e.action === 'enqueue') t.process(f(new Uint8Array(e.data), kind));
    }
  }
  return t.stats();
}

const base = (over: Partial<ReportInput>): ReportInput => ({ transforms: [], pipeline: 'worker', keys: 'installed', strict: false, platform: null, unattached: 0, ...over });

describe('call status report', () => {
  it('encrypted when both directions run with keys and the peer encrypts', () => {
    const r = buildReport(base({ transforms: [stats('send', { keyed: true, frames: 5 }), stats('receive', { keyed: true, frames: 5 })] }));
    expect(r.status).toBe('encrypted');
    expect(r.send.protected).toBe(5);
    expect(r.receive.protected).toBe(5);
    expect(r.peerEncrypting).toBe(true);
  });
  it('not encrypted without a session (and says why); waiting in strict mode', () => {
    const t = [stats('send', { keyed: false, frames: 3 }), stats('receive', { keyed: false, frames: 0 })];
    const open = buildReport(base({ transforms: t, keys: 'no-session' }));
    expect(open.status).toBe('not-encrypted');
    expect(open.reason).toMatch(/no encrypted chat session/);
    expect(buildReport(base({ transforms: t, keys: 'no-session', strict: true })).status).toBe('waiting-for-keys');
  });
  it('failing when a direction\'s packets flow but its transform saw no frame (bypassed)', () => {
    const t = [stats('send', { keyed: true, frames: 5 }), stats('receive', { keyed: true, frames: 0 })];
    const r = buildReport(base({ transforms: t, platform: packets({ audio: 0, video: 100 }, { audio: 0, video: BYPASS_PACKETS }) }));
    expect(r.status).toBe('failing');
    expect(r.reason).toMatch(/incoming video does not pass through Veil/);
    expect(buildReport(base({ transforms: t, platform: packets({ audio: 0, video: 100 }, { audio: 0, video: BYPASS_PACKETS - 1 }) })).status).toBe('waiting-for-keys');
  });
  it('a bypassed kind is caught while the other kind of the same direction passes through Veil', () => {
    // Audio frames reach Veil's receive transform; the browser plays video around it.
    const t = [
      stats('send', { keyed: true, frames: 5, kind: 'audio' }),
      stats('send', { keyed: true, frames: 5, kind: 'video' }),
      stats('receive', { keyed: true, frames: 5, kind: 'audio' }),
      stats('receive', { keyed: true, frames: 0, kind: 'video' }),
    ];
    const r = buildReport(base({ transforms: t, platform: packets(500, { audio: 500, video: BYPASS_PACKETS }) }));
    expect(r.status).toBe('failing');
    expect(r.reason).toMatch(/incoming video does not pass through Veil/);
    // ...and the same for an outgoing kind.
    const out = [stats('send', { keyed: true, frames: 0, kind: 'audio' }), stats('send', { keyed: true, frames: 5, kind: 'video' }), ...t.slice(2, 3), stats('receive', { keyed: true, frames: 5, kind: 'video' })];
    expect(buildReport(base({ transforms: out, platform: packets(500, 500) })).reason).toMatch(/outgoing audio does not pass through Veil/);
    // A kind the call does not send (no packets, no transform) is no bypass.
    expect(buildReport(base({ transforms: out.slice(1), platform: packets({ audio: 0, video: 500 }, 500) })).status).toBe('encrypted');
  });
  it('a bypassed transceiver is caught while another transceiver of the same kind passes through Veil (by mid)', () => {
    // Two incoming video streams (camera, screen share): Veil's transform on mid 2 sees nothing.
    const t = [
      { ...stats('send', { keyed: true, frames: 5, kind: 'video' }), mid: '0' },
      { ...stats('receive', { keyed: true, frames: 5, kind: 'video' }), mid: '1' },
      { ...stats('receive', { keyed: true, frames: 0, kind: 'video' }), mid: '2' },
    ];
    const streams: PlatformStream[] = [
      { direction: 'send', kind: 'video', mid: '0', packets: 500 },
      { direction: 'receive', kind: 'video', mid: '1', packets: 500 },
      { direction: 'receive', kind: 'video', mid: '2', packets: BYPASS_PACKETS },
    ];
    const r = buildReport(base({ transforms: t, platform: streams }));
    expect(r.status).toBe('failing');
    expect(r.reason).toBe('incoming video (stream 2) does not pass through Veil');
    // Under the threshold, or with frames on that transform, no bypass.
    expect(buildReport(base({ transforms: t, platform: streams.map((x) => (x.mid === '2' ? { ...x, packets: BYPASS_PACKETS - 1 } : x)) })).status).not.toBe('failing');
    const flowing = t.map((x) => (x.mid === '2' ? { ...stats('receive', { keyed: true, frames: 3, kind: 'video' }), mid: '2' } : x));
    expect(buildReport(base({ transforms: flowing, platform: streams })).status).toBe('encrypted');
    // Transforms whose mid is not known yet are matched by direction and kind.
    const noMids = t.map((x) => ({ ...x, mid: null }));
    expect(buildReport(base({ transforms: noMids, platform: streams })).status).not.toBe('failing');
  });
  it('failing with unattached streams, or no worker while encryption is wanted', () => {
    const t = [stats('send', { keyed: true, frames: 5 }), stats('receive', { keyed: true, frames: 5 })];
    expect(buildReport(base({ transforms: t, unattached: 1 })).status).toBe('failing');
    expect(buildReport(base({ transforms: [], pipeline: 'none' })).status).toBe('failing');
    expect(buildReport(base({ transforms: [], pipeline: 'none', keys: 'no-session' })).status).toBe('not-encrypted');
  });
});

describe('status report cost: getStats and report cadence', () => {
  const sendOn = stats('send', { keyed: true, frames: 3 });
  const recvOn = stats('receive', { keyed: true, frames: 3 });
  const sendOff = stats('send', { keyed: true, frames: 0 });
  const recvOff = stats('receive', { keyed: true, frames: 0 });

  const both = (dir: 'send' | 'receive', frames: number) => [stats(dir, { keyed: true, frames, kind: 'audio' }), stats(dir, { keyed: true, frames, kind: 'video' })];

  it('the browser stats are read while some transform has shown Veil no frame, at most every interval', () => {
    const watch = new BypassWatch(2000);
    expect(watch.due([], 0)).toBe(true);
    watch.record(packets(0, 0), 0);
    expect(watch.due([], 1999)).toBe(false);
    expect(watch.due([], 2000)).toBe(true);
    expect(watch.due([sendOn, recvOff], 5000)).toBe(true);
    expect(watch.due([...both('send', 3), recvOn, stats('receive', { keyed: true, frames: 0, kind: 'audio' })], 5000)).toBe(true);
    expect(watch.due([...both('send', 3), ...both('receive', 3)], 5000)).toBe(false);
    expect(watch.due([sendOn, recvOn], 5000)).toBe(false); // a video-only call
    // A failed reading keeps the last good one.
    watch.record(null, 6000);
    expect(watch.latest).toEqual(packets(0, 0));
  });

  it('skipping the browser stats never changes a report (every combination)', () => {
    const watch = new BypassWatch(0);
    const sets = [[], [sendOn], [recvOn], [sendOn, recvOn], [sendOff, recvOn], [sendOn, recvOff], [sendOff, recvOff], [...both('send', 3), recvOn], [...both('send', 3), ...both('receive', 3)], [...both('send', 3), ...both('receive', 0)]];
    const platforms = [packets(0, 0), packets(BYPASS_PACKETS, 0), packets(0, BYPASS_PACKETS), packets(999, 999), packets({ audio: 999, video: 0 }, { audio: 0, video: 999 }), [{ direction: 'receive' as const, kind: 'video' as const, mid: '7', packets: 999 }]];
    // A stream with no transform of its direction and kind at all is the unattached check's case
    // (its sender or receiver has no Veil transform), so each platform is cut to the streams the
    // set has transforms for.
    const served = (platform: PlatformCounts, transforms: TransformStats[]): PlatformCounts =>
      platform.filter((p) => transforms.some((t) => t.direction === p.direction && t[p.kind].framesIn > 0));
    let compared = 0;
    for (const transforms of sets) {
      if (watch.due(transforms, 0)) continue;
      for (const full of platforms) {
        const platform = served(full, transforms);
        for (const keys of ['installed', 'requested', 'no-session'] as const) {
          expect(buildReport(base({ transforms, platform: null, keys }))).toEqual(buildReport(base({ transforms, platform, keys })));
          compared++;
        }
      }
    }
    expect(compared).toBe(5 * platforms.length * 3); // five sets where every transform has frames
    // ...while with a silent direction the same packets do decide the status.
    expect(buildReport(base({ transforms: [sendOn, recvOff], platform: packets(0, BYPASS_PACKETS) })).status).toBe('failing');
  });

  it('a changed status goes out at once; unchanged reports only as a heartbeat', () => {
    const gate = new ReportGate(2000);
    const ok = buildReport(base({ transforms: [sendOn, recvOn] }));
    const failing = buildReport(base({ transforms: [sendOn, recvOff], platform: packets(0, BYPASS_PACKETS) }));
    expect(gate.shouldSend(ok, 0)).toBe(true);
    expect(gate.shouldSend(ok, 1000)).toBe(false);
    expect(gate.shouldSend(failing, 1100)).toBe(true);
    expect(gate.shouldSend(failing, 1200)).toBe(false);
    expect(gate.shouldSend(ok, 1300)).toBe(true);
    expect(gate.shouldSend(ok, 3299)).toBe(false);
    expect(gate.shouldSend(ok, 3300)).toBe(true);
    // new drops are a change too
    const dropped = { ...ok, receive: { ...ok.receive, dropped: 1, drops: { 'auth-failed': 1 } } };
    expect(gate.shouldSend(dropped, 3400)).toBe(true);
  });
});
