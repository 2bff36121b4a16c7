import { describe, expect, it } from 'vitest';
import { buildReport, BYPASS_PACKETS, bypassCheckNeeded, ReportGate, type ReportInput } from '../../../lib/calls/status.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { MediaTransform, type TransformStats } from '../../../lib/media/transform.ts';
import { vp8DeltaFrame } from '../media/frames.ts';

const key = new Uint8Array(32).fill(7);
const f = (bytes: Uint8Array) => ({ data: bytes.slice().buffer, type: 'delta' as const, getMetadata: () => ({ mimeType: 'video/VP8' }) });

function stats(direction: 'send' | 'receive', opts: { keyed: boolean; frames: number; mode?: 'passthrough' | 'strict' }): TransformStats {
  const ring = new MediaKeyRing();
  const sender = new MediaKeyRing();
  sender.setSendKey(0, key);
  if (opts.keyed) {
    if (direction === 'send') ring.setSendKey(0, key);
    else ring.addReceiveKey(0, key);
  }
  const t = new MediaTransform({ direction, mode: opts.mode ?? (direction === 'send' ? 'encrypt' : 'decrypt'), ring, kind: 'video' });
  const enc = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: sender, kind: 'video' });
  for (let i = 0; i < opts.frames; i++) {
    const plain = vp8DeltaFrame(300, i);
    if (direction === 'send') t.process(f(plain));
    else {
      const e = enc.process(f(plain));
      if (e.action === 'enqueue') t.process({ ...f(new Uint8Array(e.data)) });
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
    const r = buildReport(base({ transforms: t, platform: { packetsSent: 100, packetsReceived: BYPASS_PACKETS } }));
    expect(r.status).toBe('failing');
    expect(r.reason).toMatch(/incoming media does not pass through Veil/);
    expect(buildReport(base({ transforms: t, platform: { packetsSent: 100, packetsReceived: BYPASS_PACKETS - 1 } })).status).toBe('waiting-for-keys');
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

  it('the browser stats are needed exactly while a direction has seen no frame', () => {
    expect(bypassCheckNeeded([])).toBe(true);
    expect(bypassCheckNeeded([sendOn])).toBe(true);
    expect(bypassCheckNeeded([sendOn, recvOff])).toBe(true);
    expect(bypassCheckNeeded([sendOff, recvOn])).toBe(true);
    expect(bypassCheckNeeded([sendOn, recvOn])).toBe(false);
  });

  it('skipping the browser stats never changes a report (every combination)', () => {
    const sets = [[], [sendOn], [recvOn], [sendOn, recvOn], [sendOff, recvOn], [sendOn, recvOff], [sendOff, recvOff]];
    const platforms = [{ packetsSent: 0, packetsReceived: 0 }, { packetsSent: BYPASS_PACKETS, packetsReceived: 0 }, { packetsSent: 0, packetsReceived: BYPASS_PACKETS }, { packetsSent: 999, packetsReceived: 999 }];
    let compared = 0;
    for (const transforms of sets) {
      if (bypassCheckNeeded(transforms)) continue;
      for (const platform of platforms) {
        for (const keys of ['installed', 'requested', 'no-session'] as const) {
          expect(buildReport(base({ transforms, platform: null, keys }))).toEqual(buildReport(base({ transforms, platform, keys })));
          compared++;
        }
      }
    }
    expect(compared).toBe(12);
    // ...while with a silent direction the same packets do decide the status.
    expect(buildReport(base({ transforms: [sendOn, recvOff], platform: { packetsSent: 0, packetsReceived: BYPASS_PACKETS } })).status).toBe('failing');
  });

  it('a changed status goes out at once; unchanged reports only as a heartbeat', () => {
    const gate = new ReportGate(2000);
    const ok = buildReport(base({ transforms: [sendOn, recvOn] }));
    const failing = buildReport(base({ transforms: [sendOn, recvOff], platform: { packetsSent: 0, packetsReceived: BYPASS_PACKETS } }));
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
