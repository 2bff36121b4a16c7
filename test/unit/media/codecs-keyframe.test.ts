/**
 * KeyFrameRequester (entrypoints/call-hook.content/keyframe.ts): Chromium's key frame request
 * after a send key change, with a fake sender. The browser side (setParameters with
 * encodingOptions keyFrame adds a key frame in Chromium 156) is documented in docs/calls.md.
 */
import { describe, expect, it } from 'vitest';
import { KEYFRAME_MIN_INTERVAL_MS, KeyFrameRequester, type SenderOps } from '../../../entrypoints/call-hook.content/keyframe';

function fakeOps(kinds: Map<RTCRtpSender, string | null>, opts: { throwOnKind?: boolean; reject?: boolean } = {}) {
  const asked: RTCRtpSender[] = [];
  const ops: SenderOps = {
    kind: (s) => {
      if (opts.throwOnKind) throw new Error('closed');
      return kinds.get(s) ?? null;
    },
    keyFrame: (s) => {
      asked.push(s);
      return opts.reject ? Promise.reject(new Error('InvalidStateError')) : Promise.resolve();
    },
  };
  return { ops, asked };
}

const sender = (): RTCRtpSender => ({}) as RTCRtpSender;

describe('KeyFrameRequester', () => {
  it('asks the video sender of the transform, not an audio sender nor an unknown transform', () => {
    const video = sender();
    const audio = sender();
    const { ops, asked } = fakeOps(new Map([[video, 'video'], [audio, 'audio']]));
    const r = new KeyFrameRequester(ops, () => 0);
    r.track('s1', video);
    r.track('s2', audio);
    expect(r.request('s2')).toBe(false);
    expect(r.request('s9')).toBe(false);
    expect(r.request('s1')).toBe(true);
    expect(asked).toEqual([video]);
  });

  it('sends one request per sender per window, then again after it', () => {
    const video = sender();
    const other = sender();
    const { ops, asked } = fakeOps(new Map([[video, 'video'], [other, 'video']]));
    let now = 1000;
    const r = new KeyFrameRequester(ops, () => now);
    r.track('s1', video);
    r.track('s3', other);
    expect(r.request('s1')).toBe(true);
    now += KEYFRAME_MIN_INTERVAL_MS - 1;
    expect(r.request('s1')).toBe(false);
    expect(r.request('s3')).toBe(true); // another sender has its own window
    now += 1;
    expect(r.request('s1')).toBe(true);
    expect(asked).toEqual([video, other, video]);
  });

  it('a sender with no track (kind null) is not asked', () => {
    const s = sender();
    const { ops, asked } = fakeOps(new Map([[s, null]]));
    const r = new KeyFrameRequester(ops, () => 0);
    r.track('s1', s);
    expect(r.request('s1')).toBe(false);
    expect(asked).toEqual([]);
  });

  it('never throws: a closed connection or a rejected setParameters is swallowed', async () => {
    const s = sender();
    const throwing = new KeyFrameRequester(fakeOps(new Map([[s, 'video']]), { throwOnKind: true }).ops, () => 0);
    throwing.track('s1', s);
    expect(throwing.request('s1')).toBe(false);

    const { ops, asked } = fakeOps(new Map([[s, 'video']]), { reject: true });
    const rejecting = new KeyFrameRequester(ops, () => 0);
    rejecting.track('s1', s);
    expect(rejecting.request('s1')).toBe(true);
    await new Promise((r) => setTimeout(r, 0)); // an unhandled rejection would fail the run
    expect(asked).toEqual([s]);
  });

  it('without the browser API (Node here: no RTCRtpSender) it does nothing', () => {
    const r = new KeyFrameRequester();
    r.track('s1', sender());
    expect(r.request('s1')).toBe(false);
  });
});
