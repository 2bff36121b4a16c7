/**
 * The storage interface the keyring is written against. browser.storage.local and
 * browser.storage.session have this shape; MemoryStore is the in-memory implementation for tests
 * and benchmarks. Values must be structured-clone/JSON-safe (the keyring stores only strings,
 * numbers and plain objects).
 */
import { err, ok } from '../result.ts';
import { describeError, type Result } from './errors.ts';

export interface KeyValueStore {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

/** In-memory store. Values are deep-copied through JSON so callers cannot alias stored objects. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();

  get(keys: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.data.get(k);
      if (v !== undefined) out[k] = JSON.parse(v) as unknown;
    }
    return Promise.resolve(out);
  }

  set(items: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(items)) this.data.set(k, JSON.stringify(v));
    return Promise.resolve();
  }

  remove(keys: string[]): Promise<void> {
    for (const k of keys) this.data.delete(k);
    return Promise.resolve();
  }

  /** Raw serialized contents, for byte-identical comparisons in tests. */
  snapshot(): string {
    return JSON.stringify([...this.data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

export async function storeGet(store: KeyValueStore, keys: string[]): Promise<Result<Record<string, unknown>>> {
  try {
    const got = await store.get(keys);
    // Some implementations (WXT's fake browser) report missing keys as undefined: treat as absent.
    const out: Record<string, unknown> = {};
    for (const k of keys) if (got[k] !== undefined) out[k] = got[k];
    return ok(out);
  } catch (e) {
    return err({ code: 'storage-failed', detail: describeError(e) });
  }
}

export async function storeSet(store: KeyValueStore, items: Record<string, unknown>): Promise<Result<void>> {
  try {
    await store.set(items);
    return ok(undefined);
  } catch (e) {
    return err({ code: 'storage-failed', detail: describeError(e) });
  }
}

export async function storeRemove(store: KeyValueStore, keys: string[]): Promise<Result<void>> {
  if (keys.length === 0) return ok(undefined);
  try {
    await store.remove(keys);
    return ok(undefined);
  } catch (e) {
    return err({ code: 'storage-failed', detail: describeError(e) });
  }
}
