/**
 * Sealed-record IO over the injected store, bound to one unlocked data key. Modules above this
 * never see the data key. wipe() zeroes the keys on lock.
 */
import { CURRENT_SCHEMA } from './schema.ts';
import { storeGet, storeRemove, storeSet, type KeyValueStore } from './store.ts';
import { ok } from '../result.ts';
import type { Result } from './errors.ts';
import { deriveNameKey, hiddenStorageKey, openRecord, sealRecord, type RandomSource, type SealedRecord } from './vault.ts';

export class RecordIO {
  private readonly nameKey: Uint8Array;

  constructor(
    readonly store: KeyValueStore,
    private readonly dataKey: Uint8Array,
    private readonly random: RandomSource,
  ) {
    this.nameKey = deriveNameKey(dataKey);
  }

  hiddenKey(prefix: string, logicalName: string): string {
    return hiddenStorageKey(this.nameKey, prefix, logicalName);
  }

  seal(logicalName: string, value: unknown, version: number = CURRENT_SCHEMA): SealedRecord {
    return sealRecord(this.dataKey, logicalName, version, value, this.random);
  }

  open(logicalName: string, raw: unknown, accept: readonly number[]): Result<{ version: number; value: unknown }> {
    return openRecord(this.dataKey, logicalName, raw, accept);
  }

  /** Reads and authenticates one record; `undefined` when the key is absent. */
  async read(
    storageKey: string,
    logicalName: string,
    accept: readonly number[],
  ): Promise<Result<{ version: number; value: unknown } | undefined>> {
    const got = await storeGet(this.store, [storageKey]);
    if (!got.ok) return got;
    if (!(storageKey in got.value)) return ok(undefined);
    return this.open(logicalName, got.value[storageKey], accept);
  }

  async readMany(keys: string[]): Promise<Result<Record<string, unknown>>> {
    return storeGet(this.store, keys);
  }

  /** Resolves only after the store acknowledged the write. */
  async write(items: Record<string, unknown>): Promise<Result<void>> {
    return storeSet(this.store, items);
  }

  async remove(keys: string[]): Promise<Result<void>> {
    return storeRemove(this.store, keys);
  }

  wipe(): void {
    this.dataKey.fill(0);
    this.nameKey.fill(0);
  }
}
