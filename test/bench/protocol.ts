/**
 * Protocol benchmark: key agreement time per side, encrypt/decrypt of 20-byte and 4 KB messages
 * (p50 / p99 ms), wire sizes, and armored lengths next to OTR v3 and OpenPGP for the same text.
 * Prints nothing; returns rows for bench/run.ts.
 *
 * OTR v3 data message (OTR v3 spec, "Data Message"): version(2) type(1) sender/receiver instance
 * tags(4+4) flags(1) sender/recipient keyid(4+4) DH y as MPI(4+192, 1536-bit group) counter top
 * half(8) encrypted message as DATA(4+n, AES-CTR, no expansion) MAC(20) old MAC keys DATA(4+0)
 * = 252 + n bytes, armored as "?OTR:" + base64 + "." -> 6 + 4*ceil((252+n)/3) characters.
 *
 * OpenPGP (RFC 4880 as GnuPG emits for a Curve25519 key, no compression): PKESK v3 with ECDH =
 * header(2) + version(1) keyid(8) algo(1) ephemeral point MPI(2+33) wrapped key(1+48) = 96;
 * SEIPD v1 = header(2) version(1) CFB prefix(18) literal packet(2+1+1+4+n) MDC packet(22) = 51+n;
 * total 147 + n bytes. ASCII armor: "-----BEGIN PGP MESSAGE-----\n\n" (29) + base64 in 64-char
 * lines (each with "\n") + "=XXXX\n" CRC (6) + "-----END PGP MESSAGE-----" (25).
 */
import type { Measure } from './targets.ts';
import { startKeyAgreement, receive, encryptMessage, generateIdentity, newConversation, safetyNumber, type ConversationState, type Identity } from '../../lib/protocol/index.ts';

type Row = Record<string, string | number>;

const round = (x: number) => Math.round(x * 1000) / 1000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

interface Side {
  id: Identity;
  st: ConversationState;
}

function side(self: string, peer: string): Side {
  return { id: generateIdentity(), st: must(newConversation({ site: 'bench.example', conversationId: 'c', selfHandle: self, peerHandle: peer })) };
}

/** CPU time of this process (all its threads: the GC's too), in ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * One full handshake; returns the wall-clock and CPU time each side spent in its own steps
 * (initiator: commit, reveal, the responder's confirmation; responder: reply, reveal and its
 * confirmation) and the established pair.
 */
function handshake(): { initiatorMs: number; responderMs: number; initiatorCpuMs: number; responderCpuMs: number; a: Side; b: Side } {
  const a = side('a', 'b');
  const b = side('b', 'a');
  const spent = { i: 0, r: 0, ic: 0, rc: 0 };
  const step = <T>(who: 'i' | 'r', fn: () => T): T => {
    const t = performance.now();
    const c = cpuMs();
    const out = fn();
    spent[who === 'i' ? 'ic' : 'rc'] += cpuMs() - c;
    spent[who] += performance.now() - t;
    return out;
  };
  const s = step('i', () => must(startKeyAgreement(a.st, a.id)));
  a.st = s.state;
  const r1 = step('r', () => must(receive(b.st, { identity: b.id, wire: s.outgoing[0] as Uint8Array, now: 0 })));
  b.st = r1.state;
  const r2 = step('i', () => must(receive(a.st, { identity: a.id, wire: r1.outgoing[0] as Uint8Array, now: 0 })));
  a.st = r2.state;
  const r3 = step('r', () => must(receive(b.st, { identity: b.id, wire: r2.outgoing[0] as Uint8Array, now: 0 })));
  b.st = r3.state;
  a.st = step('i', () => must(receive(a.st, { identity: a.id, wire: r3.outgoing[0] as Uint8Array, now: 0 }))).state;
  return { initiatorMs: spent.i, responderMs: spent.r, initiatorCpuMs: spent.ic, responderCpuMs: spent.rc, a, b };
}

function otrV3Chars(n: number): number {
  return 6 + 4 * Math.ceil((252 + n) / 3);
}

function openPgpChars(n: number): number {
  const b64 = 4 * Math.ceil((147 + n) / 3);
  return 29 + b64 + Math.ceil(b64 / 64) + 6 + 25;
}

export async function runProtocolBench(measure: Measure = () => undefined): Promise<Array<Record<string, string | number>>> {
  const rows: Row[] = [];
  const HS = 50;
  const init: number[] = [];
  const resp: number[] = [];
  const initCpu: number[] = [];
  const respCpu: number[] = [];
  let pair = handshake();
  for (let i = 0; i < 5; i++) handshake(); // JIT warm-up
  for (let i = 0; i < HS; i++) {
    pair = handshake();
    init.push(pair.initiatorMs);
    resp.push(pair.responderMs);
    initCpu.push(pair.initiatorCpuMs);
    respCpu.push(pair.responderCpuMs);
  }
  rows.push({ bench: 'protocol', case: 'key agreement, initiator', runs: HS, p50_ms: percentile(init, 50), p99_ms: percentile(init, 99), cpu_p50_ms: percentile(initCpu, 50), cpu_p99_ms: percentile(initCpu, 99) });
  rows.push({ bench: 'protocol', case: 'key agreement, responder', runs: HS, p50_ms: percentile(resp, 50), p99_ms: percentile(resp, 99), cpu_p50_ms: percentile(respCpu, 50), cpu_p99_ms: percentile(respCpu, 99) });
  const how = `process.cpuUsage over ${HS} handshakes in Node (wall clock p50 ${percentile(init, 50)} / ${percentile(resp, 50)} ms)`;
  measure('key-agreement-initiator', percentile(initCpu, 50), how);
  measure('key-agreement-responder', percentile(respCpu, 50), how);
  // The safety number is computed once, when the UI first shows it (not per key agreement).
  const id1 = generateIdentity();
  const id2 = generateIdentity();
  const sn: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    safetyNumber({ publicKey: id1.publicKey, handle: 'alice' }, { publicKey: id2.publicKey, handle: 'bob' });
    sn.push(performance.now() - t0);
  }
  rows.push({ bench: 'protocol', case: 'safety number (on first display)', runs: 5, p50_ms: percentile(sn, 50), p99_ms: percentile(sn, 99) });

  const N = 300;
  const wireSizes: Record<string, number> = {};
  for (const [label, text] of [['20 B', 'x'.repeat(20)], ['4 KB', 'y'.repeat(4096)]] as const) {
    const enc: number[] = [];
    const dec: number[] = [];
    const wires: Uint8Array[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const e = must(encryptMessage(pair.a.st, text));
      enc.push(performance.now() - t);
      pair.a.st = e.state;
      wires.push(e.wire);
    }
    for (const w of wires) {
      const t = performance.now();
      pair.b.st = must(receive(pair.b.st, { identity: pair.b.id, wire: w, now: 0 })).state;
      dec.push(performance.now() - t);
    }
    wireSizes[label] = (wires[0] as Uint8Array).length;
    rows.push({ bench: 'protocol', case: `encrypt ${label}`, runs: N, p50_ms: percentile(enc, 50), p99_ms: percentile(enc, 99), wire_bytes: (wires[0] as Uint8Array).length });
    rows.push({ bench: 'protocol', case: `decrypt ${label}`, runs: N, p50_ms: percentile(dec, 50), p99_ms: percentile(dec, 99) });
  }

  let armor: ((bytes: Uint8Array, alphabet: 'ascii' | 'dense') => string) | null = null;
  try {
    const mod = (await import('../../lib/armor/index.ts')) as { armor?: (b: Uint8Array, a: 'ascii' | 'dense') => string };
    armor = typeof mod.armor === 'function' ? mod.armor : null;
  } catch {
    armor = null;
  }
  // Sizes on a fresh session (counters < 128 encode in one byte each, as in most chats).
  const fresh = handshake();
  for (const n of [1, 20, 1000]) {
    const e = must(encryptMessage(fresh.a.st, 'm'.repeat(n)));
    fresh.a.st = e.state;
    const row: Row = { bench: 'protocol', case: `size of a ${n}-character message`, wire_bytes: e.wire.length };
    if (armor) {
      row.veil_ascii_chars = armor(e.wire, 'ascii').length;
      row.veil_dense_chars = [...armor(e.wire, 'dense')].length;
      row.veil_dense_utf16 = armor(e.wire, 'dense').length;
    } else {
      row.armor = 'lib/armor absent';
    }
    row.otr_v3_chars = otrV3Chars(n);
    row.openpgp_armored_chars = openPgpChars(n);
    rows.push(row);
  }
  return rows;
}
