/**
 * A dishonest sender for call-bad-frames.test.ts: it holds the call's key and encrypts frames
 * with Veil's own frame code, then damages some of them on purpose, by kind and position:
 * truncated to 5 bytes, sealed under a key id the receiver never got, a copy of the previous
 * frame (a replayed counter), one ciphertext byte flipped. Everything else goes out honestly.
 */
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { MediaTransform, type EncodedFrameLike, type MediaKind } from '../../../lib/media/transform.ts';
import { DAMAGE_AT, PERIOD } from './damage.ts';


/** One ring per key for every track, as Veil does: one counter per key keeps nonces unique. */
let rings: { honest: MediaKeyRing; rogue: MediaKeyRing } | null = null;

function stage(kind: MediaKind, key: Uint8Array): (frame: EncodedFrameLike) => EncodedFrameLike | null {
  if (rings === null) {
    rings = { honest: new MediaKeyRing(), rogue: new MediaKeyRing() };
    rings.honest.setSendKey(0, key);
    rings.rogue.setSendKey(9, key);
  }
  const { honest: ring, rogue: rogueRing } = rings;
  const honest = new MediaTransform({ direction: 'send', mode: 'encrypt', ring, kind });
  const rogue = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: rogueRing, kind });
  let n = 0;
  let previous: ArrayBuffer | null = null;
  return (frame) => {
    n++;
    const damage = DAMAGE_AT[n % PERIOD[kind]];
    const d = (damage === 'unknown-key' ? rogue : honest).process(frame);
    if (d.action !== 'enqueue') return null;
    let data = d.data;
    if (damage === 'truncated') data = data.slice(0, 5);
    else if (damage === 'replay' && previous !== null) data = previous.slice(0);
    else if (damage === 'auth-failed') {
      const bytes = new Uint8Array(data.slice(0));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      data = bytes.buffer;
    }
    if (damage === undefined) previous = d.data.slice(0);
    frame.data = data;
    return frame;
  };
}

interface Streams {
  readable: ReadableStream<EncodedFrameLike>;
  writable: WritableStream<EncodedFrameLike>;
}

function pipe({ readable, writable }: Streams, kind: MediaKind, key: Uint8Array): void {
  const handle = stage(kind, key);
  void readable
    .pipeThrough(
      new TransformStream<EncodedFrameLike, EncodedFrameLike>({
        transform(frame, controller) {
          const out = handle(frame);
          if (out !== null) controller.enqueue(out);
        },
      }),
    )
    .pipeTo(writable)
    .catch(() => undefined);
}

type Scope = {
  onmessage: ((e: { data: Streams & { kind: MediaKind; key: Uint8Array } }) => void) | null;
  onrtctransform?: ((e: { transformer: Streams & { options: { kind: MediaKind; key: Uint8Array } } }) => void) | null;
};
const scope = self as unknown as Scope;
// Chromium: streams from createEncodedStreams(); Firefox: RTCRtpScriptTransform.
scope.onmessage = (e) => pipe(e.data, e.data.kind, e.data.key);
scope.onrtctransform = (e) => pipe(e.transformer, e.transformer.options.kind, e.transformer.options.key);
