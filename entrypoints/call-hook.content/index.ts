/**
 * Veil's main-world call script. Runs at document_start on the sites the user enabled, before
 * the page's own scripts: captures pristine references, opens the private channel to Veil's
 * bridge, and wraps RTCPeerConnection so that every sender and receiver of every call gets
 * Veil's frame transform (see docs/calls.md).
 *
 * Chromium: `encodedInsertableStreams: true` is forced (also through setConfiguration) and
 * createEncodedStreams() is used on every sender and receiver: Chromium 156 silently skips a
 * receiver RTCRtpScriptTransform on sendrecv transceivers. Firefox: RTCRtpScriptTransform.
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { BridgeClient } from './bridge-client';
import { CallController, type MediaPath } from './call';
import { probeBlobWorkers } from './pipeline';
import { capturePristine, type Pristine } from './pristine';

type PCInit = RTCConfiguration & { encodedInsertableStreams?: boolean };

function install(p: Pristine, w: Window & typeof globalThis): void {
  const path: MediaPath | null = p.createEncodedStreams && p.createEncodedStreamsReceiver ? 'streams' : p.RTCRtpScriptTransform ? 'script' : null;
  document.documentElement.setAttribute('data-veil-hook', String(performance.now()));
  if (path === null) return; // no way to transform frames in this browser: nothing to wrap
  const bridge = new BridgeClient(p);
  void probeBlobWorkers(p).catch(() => undefined); // warms the probe's cached answer; the call asks again
  const controllers = new WeakMap<RTCPeerConnection, CallController>();
  const Orig = p.RTCPeerConnection;
  const proto = Orig.prototype;

  const withStreams = (config: PCInit | undefined): PCInit | undefined =>
    path === 'streams' ? { ...(config ?? {}), encodedInsertableStreams: true } : config;

  const ctl = (pc: RTCPeerConnection): CallController | undefined => controllers.get(pc);

  // Audio RED wraps several Opus frames: frame encryption cannot handle it (fails closed as
  // unknown codec = silence), so it is taken out of the audio codec preferences.
  const noRed = (t: RTCRtpTransceiver | undefined): void => {
    if (!t || !p.getCapabilities || !p.setCodecPreferences) return;
    try {
      const kind = t.receiver.track?.kind;
      if (kind !== 'audio') return;
      const caps = p.getCapabilities('audio');
      if (!caps) return;
      const codecs = caps.codecs.filter((c) => c.mimeType.toLowerCase() !== 'audio/red');
      if (codecs.length !== caps.codecs.length) p.setCodecPreferences.call(t, codecs);
    } catch {
      /* keep the page's preferences */
    }
  };

  const transceiverOf = (pc: RTCPeerConnection, sender: RTCRtpSender): RTCRtpTransceiver | undefined => {
    try {
      return p.getTransceivers.call(pc).find((t) => t.sender === sender);
    } catch {
      return undefined;
    }
  };

  function VeilRTCPeerConnection(this: unknown, config?: PCInit, ...rest: unknown[]): RTCPeerConnection {
    const target = (new.target as unknown as (new (...a: unknown[]) => RTCPeerConnection) | undefined) ?? (VeilRTCPeerConnection as unknown as new (...a: unknown[]) => RTCPeerConnection);
    const pc = Reflect.construct(Orig, [withStreams(config), ...rest], target) as RTCPeerConnection;
    const controller = new CallController(pc, { p, bridge, path: path! });
    controllers.set(pc, controller);
    // Registered before any page listener: the receiver gets its transform before the page sees the track.
    pc.addEventListener('track', (e: RTCTrackEvent) => {
      controller.attach(e.receiver, 'receive', e.track.kind as 'audio' | 'video');
      noRed(e.transceiver);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'closed' || pc.connectionState === 'failed') controller.end();
    });
    return pc;
  }
  VeilRTCPeerConnection.prototype = proto;
  Object.setPrototypeOf(VeilRTCPeerConnection, Orig); // statics (generateCertificate)
  Object.defineProperty(proto, 'constructor', { value: VeilRTCPeerConnection, writable: true, configurable: true });

  const define = (name: string, value: unknown): void => {
    Object.defineProperty(proto, name, { value, writable: true, configurable: true, enumerable: true });
  };
  define('setConfiguration', function (this: RTCPeerConnection, config?: PCInit) {
    return p.setConfiguration.call(this, withStreams(config) as RTCConfiguration);
  });
  define('addTrack', function (this: RTCPeerConnection, track: MediaStreamTrack, ...streams: MediaStream[]) {
    const sender = p.addTrack.call(this, track, ...streams);
    const c = ctl(this);
    if (c) {
      const t = transceiverOf(this, sender);
      noRed(t);
      c.attach(sender, 'send', track.kind as 'audio' | 'video');
      if (t) c.attach(t.receiver, 'receive', track.kind as 'audio' | 'video');
    }
    return sender;
  });
  define('addTransceiver', function (this: RTCPeerConnection, trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit) {
    const t = p.addTransceiver.call(this, trackOrKind, init);
    const c = ctl(this);
    if (c) {
      const kind = (typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind) as 'audio' | 'video';
      noRed(t);
      c.attach(t.sender, 'send', kind);
      c.attach(t.receiver, 'receive', kind);
    }
    return t;
  });
  define('setLocalDescription', function (this: RTCPeerConnection, ...args: unknown[]) {
    const r = (p.setLocalDescription as (...a: unknown[]) => Promise<void>).apply(this, args);
    ctl(this)?.attachAll();
    return r.then((v) => {
      ctl(this)?.onDescription();
      return v;
    });
  });
  define('setRemoteDescription', function (this: RTCPeerConnection, ...args: unknown[]) {
    const r = (p.setRemoteDescription as (...a: unknown[]) => Promise<void>).apply(this, args);
    return r.then((v) => {
      ctl(this)?.onDescription();
      return v;
    });
  });
  define('close', function (this: RTCPeerConnection) {
    ctl(this)?.end();
    return p.close.call(this);
  });

  const ctor = VeilRTCPeerConnection as unknown as typeof RTCPeerConnection;
  Object.defineProperty(w, 'RTCPeerConnection', { value: ctor, writable: true, configurable: true });
  if ('webkitRTCPeerConnection' in w) Object.defineProperty(w, 'webkitRTCPeerConnection', { value: ctor, writable: true, configurable: true });
}

export default defineContentScript({
  matches: ['https://veil.invalid/*'],
  registration: 'runtime',
  world: 'MAIN',
  runAt: 'document_start',
  main() {
    const w = window as Window & typeof globalThis;
    const p = capturePristine(w);
    if (p === null) {
      document.documentElement.setAttribute('data-veil-hook', String(performance.now()));
      return;
    }
    install(p, w);
  },
});
