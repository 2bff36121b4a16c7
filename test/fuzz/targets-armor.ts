// Fuzz targets for the armor layer: extraction from hostile text (as UTF-8, as UTF-16 and as a
// token stream that reaches deep into block structure), dearmor, the query line parser, the
// reassembler under a hostile fragment stream (memory caps asserted inside run), and the
// fragment -> extract -> reassemble round trip.
import {
  ASCII_ALPHABET,
  DENSE_MAIN_BASE,
  DENSE_TAIL_BASE,
  Reassembler,
  armor,
  armorFragments,
  dearmor,
  findArmor,
  makeQueryLine,
  parseQuery,
  type Alphabet,
} from '../../lib/armor/index.ts';

export interface FuzzTarget {
  name: string;
  seeds: () => Uint8Array[];
  run: (input: Uint8Array) => void;
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant: ${message}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function detBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function utf16Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c & 255;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

function utf16Text(bytes: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) units.push((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
  let s = '';
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096));
  return s;
}

/** Sample texts containing real blocks, fragments, query lines and mangling. */
function sampleTexts(): string[] {
  const texts: string[] = [];
  for (const [n, alphabet] of [[0, 'ascii'], [1, 'dense'], [20, 'ascii'], [72, 'dense'], [72, 'ascii'], [300, 'dense']] as const) {
    texts.push(armor(detBytes(n, n + 1), alphabet));
  }
  const frags = armorFragments(detBytes(200, 9), { alphabet: 'ascii', maxChars: 60, rng: (k) => detBytes(k, 77) });
  texts.push(frags.join(' '));
  texts.push(armorFragments(detBytes(200, 10), { alphabet: 'dense', maxChars: 40, rng: (k) => detBytes(k, 78) }).join('\n'));
  texts.push(`hi *there* -- ${armor(detBytes(30, 3), 'ascii')} :) bye`);
  texts.push(armor(detBytes(40, 4), 'ascii').split('').join('\u200b'));
  texts.push(makeQueryLine({ name: 'Alice', url: 'https://veil.example/get', versions: [1, 2] }));
  texts.push('VL1AAAA VLf{ V L 1 %} ?VEILv1');
  return texts;
}

/** Checks findArmor's contract on any text and that every decoded payload re-armors to itself. */
function checkFind(text: string): void {
  let last = 0;
  for (const f of findArmor(text)) {
    check(f.start >= last && f.end > f.start && f.end <= text.length, 'finding spans ordered and in range');
    last = f.end;
    if (!f.result.ok) continue;
    const v = f.result.value;
    if (v.kind === 'whole') {
      for (const alphabet of ['ascii', 'dense'] as const) {
        const again = dearmor(armor(v.bytes, alphabet));
        check(again.ok && again.value.kind === 'whole' && sameBytes(again.value.bytes, v.bytes), 'whole payload round-trips');
      }
    } else {
      check(v.count >= 2 && v.index < v.count && v.bytes.length > 0 && /^[0-9a-f]{8}$/.test(v.id), 'fragment header valid');
    }
  }
  dearmor(text);
}

/**
 * Token stream: each byte picks a piece of armor-like text, so random bytes build inputs that get
 * deep into block parsing (prefixes, symbols of both alphabets, terminators, ignorables).
 */
const TOKENS: string[] = (() => {
  const t: string[] = [...ASCII_ALPHABET]; // 0..63
  for (let i = 0; i < 48; i++) t.push(String.fromCharCode(DENSE_MAIN_BASE + i * 341)); // 64..111
  for (let i = 0; i < 16; i++) t.push(String.fromCharCode(DENSE_TAIL_BASE + i * 4)); // 112..127
  t.push('VL1', 'VLf', 'V', 'L', '{', '{', '?VEILv', '?', '1', '2', '9', '0'); // 128..139
  t.push(' ', '\n', '\u200b', '\u00ad', '\u00a0', '\ufeff', '\u2060', '\r\n'); // 140..147
  t.push('-', '.', ':', ')', '*', '_', '…', '\ud800', '\udc00', '\u9fff', '\u8e40', '\u4dff', 'é', 'e\u0301'); // 148..161
  while (t.length < 256) t.push(String.fromCharCode(0x20 + (t.length % 95)));
  return t;
})();

function tokenText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += TOKENS[b] as string;
  return s;
}

function tokenBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('VL1', i) || text.startsWith('VLf', i)) {
      out.push(text[i + 2] === '1' ? 128 : 129);
      i += 3;
    } else {
      const ch = text[i] as string;
      const k = ch === '{' ? 132 : TOKENS.indexOf(ch);
      const code = ch.charCodeAt(0);
      // Dense symbols outside the token table map to the nearest tabled one of the same kind.
      if (k >= 0) out.push(k);
      else if (code >= DENSE_TAIL_BASE && code < DENSE_TAIL_BASE + 64) out.push(112 + ((code - DENSE_TAIL_BASE) >> 2));
      else if (code >= DENSE_MAIN_BASE && code < DENSE_TAIL_BASE) out.push(64 + Math.floor((code - DENSE_MAIN_BASE) / 342));
      else out.push(140);
      i++;
    }
  }
  return Uint8Array.from(out);
}

/** Reassembler under a hostile stream: records of [id, index, count, len, dt] + data. */
const CAPS = { maxMessageBytes: 256, maxBufferedBytes: 600, maxBuffers: 4, maxAgeMs: 100, maxCount: 8 };

function runReassembler(input: Uint8Array): void {
  const r = new Reassembler(CAPS);
  let now = 0;
  let i = 0;
  while (i + 5 <= input.length) {
    const id = String.fromCharCode(97 + ((input[i] as number) % 6));
    const index = ((input[i + 1] as number) % 12) - 1;
    const count = (input[i + 2] as number) % 11;
    const len = (input[i + 3] as number) % 80;
    now += (input[i + 4] as number) % 40;
    const data = input.slice(i + 5, i + 5 + len);
    i += 5 + len;
    const channel = (input[i - 1] ?? 0) % 5 === 0 ? 'other' : '';
    const res = r.add({ id, index, count, bytes: data }, now, channel);
    check(r.openBuffers <= CAPS.maxBuffers, 'open buffers within cap');
    check(r.bufferedBytes <= CAPS.maxBufferedBytes && r.bufferedBytes >= 0, 'buffered bytes within cap');
    if (res.status === 'complete') check(res.bytes.length <= CAPS.maxMessageBytes && res.bytes.length >= 2, 'complete size within cap');
    for (const d of res.dropped) check(d.received < d.count, 'dropped buffers were incomplete');
  }
}

function runRoundTrip(input: Uint8Array): void {
  if (input.length < 2) return;
  const alphabet: Alphabet = ((input[0] as number) & 1) === 0 ? 'ascii' : 'dense';
  const maxChars = 16 + ((input[0] as number) >> 1) * 3;
  const payload = input.subarray(2);
  const blocks = armorFragments(payload, { alphabet: alphabet, maxChars: maxChars, rng: (n) => detBytes(n, input[1] as number) });
  for (const b of blocks) check(b.length <= maxChars, 'fragment within maxChars');
  // Deterministic shuffle plus one duplicate, as a relay might deliver them.
  const order = blocks.map((_, k) => k);
  let x = (input[1] as number) + 1;
  for (let k = order.length - 1; k > 0; k--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (k + 1);
    [order[k], order[j]] = [order[j] as number, order[k] as number];
  }
  order.push(order[0] as number);
  const r = new Reassembler();
  const done: Uint8Array[] = [];
  for (const k of order) {
    for (const f of findArmor(`x ${blocks[k] as string} y`)) {
      check(f.result.ok, 'own fragment decodes');
      const v = f.result.value;
      if (v.kind === 'whole') done.push(v.bytes);
      else {
        const res = r.add(v, 0);
        check(res.status !== 'error', 'own fragment accepted');
        if (res.status === 'complete') done.push(res.bytes);
      }
    }
  }
  check(done.length >= 1 && sameBytes(done[0] as Uint8Array, payload), 'fragments reassemble to the payload');
}

export const targets: FuzzTarget[] = [
  {
    name: 'armor/findArmor-utf8',
    seeds: () => sampleTexts().map((t) => utf8.encode(t)),
    run: (input) => checkFind(utf8Decoder.decode(input)),
  },
  {
    name: 'armor/findArmor-utf16',
    seeds: () => sampleTexts().map(utf16Bytes),
    run: (input) => checkFind(utf16Text(input)),
  },
  {
    name: 'armor/findArmor-tokens',
    seeds: () => sampleTexts().map(tokenBytes),
    run: (input) => checkFind(tokenText(input)),
  },
  {
    name: 'armor/parseQuery',
    seeds: () => sampleTexts().map((t) => utf8.encode(t)),
    run: (input) => {
      const text = utf8Decoder.decode(input);
      const q = parseQuery(text);
      if (q !== null) check(q.versions.length > 0 && text[q.start] === '?' && text[q.end - 1] === '?', 'query span');
    },
  },
  {
    name: 'armor/reassembler',
    seeds: () => [
      Uint8Array.of(0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 0, 4, 5, 6),
      Uint8Array.of(0, 1, 3, 2, 5, 9, 9, 0, 2, 3, 2, 5, 8, 8, 0, 3, 3, 2, 5, 7, 7),
      detBytes(600, 5),
    ],
    run: runReassembler,
  },
  {
    name: 'armor/fragment-roundtrip',
    seeds: () => [Uint8Array.of(10, 1, ...detBytes(300, 1)), Uint8Array.of(11, 2, ...detBytes(500, 2)), Uint8Array.of(200, 3, 1, 2, 3)],
    run: runRoundTrip,
  },
];
