/**
 * Media frame encryption benchmark: per-frame encrypt and decrypt time (p50 / p99 ms) for VP8
 * frames sized like 720p (~25 KB key / ~8 KB delta) and 1080p (~60 KB / ~15 KB), noble
 * ChaCha20-Poly1305 (synchronous, the default) vs WebCrypto AES-256-GCM (Node's
 * globalThis.crypto.subtle, injected, asynchronous). Measured in Node's main thread; the
 * in-browser worker measurement (streams, transfers) is done separately. Prints nothing.
 */
import { rulesFor } from '../../lib/media/codecs/index.ts';
import { decryptFrame, decryptFrameAsync, encryptFrame, encryptFrameAsync, webCryptoAesGcm, type SubtleLike } from '../../lib/media/frame-crypto.ts';
import { MediaKeyRing, type CipherSuite } from '../../lib/media/key-ring.ts';

type Row = Record<string, string | number>;

const round = (x: number): number => Math.round(x * 1000) / 1000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
}

function vp8Frame(length: number, keyFrame: boolean, seed: number): Uint8Array {
  const f = new Uint8Array(length);
  let s = seed || 1;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    f[i] = s >>> 24;
  }
  f[0] = keyFrame ? (f[0] ?? 0) & 0xfe : (f[0] ?? 0) | 0x01;
  if (keyFrame) f.set([0x9d, 0x01, 0x2a], 3);
  return f;
}

const SIZES: Array<{ label: string; bytes: number; key: boolean }> = [
  { label: '720p key', bytes: 25_000, key: true },
  { label: '720p delta', bytes: 8_000, key: false },
  { label: '1080p key', bytes: 60_000, key: true },
  { label: '1080p delta', bytes: 15_000, key: false },
];

function rings(suite: CipherSuite): { tx: MediaKeyRing; rx: MediaKeyRing } {
  const raw = new Uint8Array(32).fill(42);
  const tx = new MediaKeyRing({ suite });
  const rx = new MediaKeyRing({ suite, replayWindowSize: 1024 });
  tx.setSendKey(1, raw);
  rx.addReceiveKey(1, raw);
  return { tx, rx };
}

export async function runMediaBench(iterations = 200): Promise<Array<Record<string, string | number>>> {
  const rows: Row[] = [];
  const rules = rulesFor('vp8');
  const subtle = (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle;
  const note = 'Node main thread; in-browser worker measurement is done separately';
  for (const size of SIZES) {
    const frames = Array.from({ length: 8 }, (_, i) => vp8Frame(size.bytes, size.key, i + 1));
    {
      const { tx, rx } = rings('chacha20-poly1305');
      const enc: number[] = [];
      const dec: number[] = [];
      for (let i = 0; i < iterations + 10; i++) {
        const plain = frames[i % frames.length]!;
        const t0 = performance.now();
        const e = encryptFrame(tx, rules, plain);
        const t1 = performance.now();
        if (!e.ok) throw new Error(e.error.code);
        const d = decryptFrame(rx, rules, e.value.data);
        const t2 = performance.now();
        if (!d.ok) throw new Error(d.error.code);
        if (i >= 10) {
          enc.push(t1 - t0);
          dec.push(t2 - t1);
        }
      }
      rows.push(row(size, 'noble chacha20-poly1305 (sync)', enc, dec, note));
    }
    if (subtle !== undefined) {
      const aead = webCryptoAesGcm(subtle as SubtleLike);
      const { tx, rx } = rings('aes-256-gcm');
      const enc: number[] = [];
      const dec: number[] = [];
      for (let i = 0; i < iterations + 10; i++) {
        const plain = frames[i % frames.length]!;
        const t0 = performance.now();
        const e = await encryptFrameAsync(tx, rules, plain, aead);
        const t1 = performance.now();
        if (!e.ok) throw new Error(e.error.code);
        const d = await decryptFrameAsync(rx, rules, e.value.data, aead);
        const t2 = performance.now();
        if (!d.ok) throw new Error(d.error.code);
        if (i >= 10) {
          enc.push(t1 - t0);
          dec.push(t2 - t1);
        }
      }
      rows.push(row(size, 'WebCrypto aes-256-gcm (async, injected)', enc, dec, note));
    }
  }
  return rows;
}

function row(size: { label: string; bytes: number }, cipher: string, enc: number[], dec: number[], note: string): Row {
  const mbps = (ms: number): number => Math.round(size.bytes / 1e6 / (ms / 1000));
  const encP50 = percentile(enc, 50);
  return {
    bench: 'media frame',
    frame: `VP8 ${size.label}`,
    bytes: size.bytes,
    cipher,
    'encrypt p50 ms': encP50,
    'encrypt p99 ms': percentile(enc, 99),
    'decrypt p50 ms': percentile(dec, 50),
    'decrypt p99 ms': percentile(dec, 99),
    'encrypt MB/s at p50': encP50 > 0 ? mbps(encP50) : 0,
    iterations: enc.length,
    where: note,
  };
}
