import { Keyring, MemoryStore, type KeyValueStore } from '../../../lib/keyring/index.ts';
import type { ScryptParams } from '../../../lib/keyring/vault.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '../../../lib/bytes.ts';

/** Cheap KDF for tests (the production default is measured in bench/keyring.ts). */
export const FAST_KDF: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };
export const USER = { origin: 'user' } as const;
export const T0 = 1_700_000_000_000;

export class Clock {
  t = T0;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Env {
  local: KeyValueStore;
  session: KeyValueStore;
  clock: Clock;
}

export function memoryEnv(): Env & { local: MemoryStore; session: MemoryStore } {
  return { local: new MemoryStore(), session: new MemoryStore(), clock: new Clock() };
}

export async function openKeyring(env: Env): Promise<Keyring> {
  const r = await Keyring.open({ local: env.local, session: env.session, now: env.clock.now, kdfParams: FAST_KDF });
  if (!r.ok) throw new Error(`open failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

export async function freshKeyring(env: Env, passphrase: string | null = 'correct horse'): Promise<Keyring> {
  const kr = await openKeyring(env);
  expectOk(await kr.initialize(passphrase));
  return kr;
}

export function expectOk<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

export function errorCode(r: { ok: boolean; error?: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error?.code;
}

export const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);

/** A cache digest for a test's made-up ciphertext text (callers compute theirs from the payload). */
export const digestOf = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));
