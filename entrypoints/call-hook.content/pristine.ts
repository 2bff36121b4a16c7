/**
 * References captured at document_start, before any page script runs, so that a page replacing
 * a global later cannot redirect what Veil's call script uses.
 */
export interface Pristine {
  RTCPeerConnection: typeof RTCPeerConnection;
  MessageChannel: typeof MessageChannel;
  postMessage: Window['postMessage'];
  setTimeout: typeof setTimeout;
  clearTimeout: typeof clearTimeout;
  setInterval: typeof setInterval;
  clearInterval: typeof clearInterval;
  getStats: RTCPeerConnection['getStats'];
  getSenders: RTCPeerConnection['getSenders'];
  getTransceivers: RTCPeerConnection['getTransceivers'];
  addTrack: RTCPeerConnection['addTrack'];
  addTransceiver: RTCPeerConnection['addTransceiver'];
  setConfiguration: RTCPeerConnection['setConfiguration'];
  setLocalDescription: RTCPeerConnection['setLocalDescription'];
  setRemoteDescription: RTCPeerConnection['setRemoteDescription'];
  close: RTCPeerConnection['close'];
  replaceTrack: RTCRtpSender['replaceTrack'];
  localDescription: (pc: RTCPeerConnection) => RTCSessionDescription | null;
  remoteDescription: (pc: RTCPeerConnection) => RTCSessionDescription | null;
  createEncodedStreams: ((this: RTCRtpSender | RTCRtpReceiver) => { readable: ReadableStream; writable: WritableStream }) | null;
  createEncodedStreamsReceiver: ((this: RTCRtpReceiver) => { readable: ReadableStream; writable: WritableStream }) | null;
  RTCRtpScriptTransform: (new (worker: Worker, options?: unknown) => RTCRtpScriptTransform) | null;
  getCapabilities: ((kind: string) => RTCRtpCapabilities | null) | null;
  setCodecPreferences: ((this: RTCRtpTransceiver, codecs: RTCRtpCodec[]) => void) | null;
  randomValues: (a: Uint8Array) => Uint8Array;
}

function getter<T>(proto: object, name: string): (self: T) => unknown {
  const d = Object.getOwnPropertyDescriptor(proto, name);
  const get = d?.get;
  return (self: T) => (get ? (get.call(self) as unknown) : undefined);
}

export function capturePristine(w: Window & typeof globalThis): Pristine | null {
  const PC = w.RTCPeerConnection;
  if (typeof PC !== 'function') return null;
  const proto = PC.prototype;
  const senderProto = w.RTCRtpSender?.prototype as (RTCRtpSender & { createEncodedStreams?: () => { readable: ReadableStream; writable: WritableStream } }) | undefined;
  const receiverProto = w.RTCRtpReceiver?.prototype as (RTCRtpReceiver & { createEncodedStreams?: () => { readable: ReadableStream; writable: WritableStream } }) | undefined;
  const local = getter<RTCPeerConnection>(proto, 'localDescription');
  const remote = getter<RTCPeerConnection>(proto, 'remoteDescription');
  const transceiverProto = w.RTCRtpTransceiver?.prototype;
  const crypto = w.crypto;
  const getRandomValues = crypto.getRandomValues.bind(crypto);
  return {
    RTCPeerConnection: PC,
    MessageChannel: w.MessageChannel,
    postMessage: w.postMessage.bind(w),
    setTimeout: w.setTimeout.bind(w),
    clearTimeout: w.clearTimeout.bind(w),
    setInterval: w.setInterval.bind(w),
    clearInterval: w.clearInterval.bind(w),
    getStats: proto.getStats,
    getSenders: proto.getSenders,
    getTransceivers: proto.getTransceivers,
    addTrack: proto.addTrack,
    addTransceiver: proto.addTransceiver,
    setConfiguration: proto.setConfiguration,
    setLocalDescription: proto.setLocalDescription,
    setRemoteDescription: proto.setRemoteDescription,
    close: proto.close,
    replaceTrack: w.RTCRtpSender.prototype.replaceTrack,
    localDescription: (pc) => local(pc) as RTCSessionDescription | null,
    remoteDescription: (pc) => remote(pc) as RTCSessionDescription | null,
    createEncodedStreams: typeof senderProto?.createEncodedStreams === 'function' ? (senderProto.createEncodedStreams as Pristine['createEncodedStreams']) : null,
    createEncodedStreamsReceiver: typeof receiverProto?.createEncodedStreams === 'function' ? (receiverProto.createEncodedStreams as Pristine['createEncodedStreamsReceiver']) : null,
    RTCRtpScriptTransform: typeof w.RTCRtpScriptTransform === 'function' ? w.RTCRtpScriptTransform : null,
    getCapabilities: typeof w.RTCRtpSender?.getCapabilities === 'function' ? w.RTCRtpSender.getCapabilities.bind(w.RTCRtpSender) : null,
    setCodecPreferences: typeof transceiverProto?.setCodecPreferences === 'function' ? transceiverProto.setCodecPreferences : null,
    randomValues: (a) => getRandomValues(a),
  };
}
