/**
 * Contacts: per site + handle, trust on first use, loud key changes.
 *
 * - observePeerKey records the key a peer presented. First sight: 'new-contact' (TOFU). Same key:
 *   'same'. Different key: 'key-changed' — the old key goes to history, the contact loses
 *   `verified` and gets `keyChanged`; canSend() is blocked and the caller marks messages from the
 *   new key, until the user accepts the change or verifies the new key. While the change is
 *   unaccepted, observing the new key again still reports 'key-changed'.
 * - acceptKeyChange / markVerified are USER actions. They require `{ origin: 'user' }` (checked at
 *   runtime too) and the fingerprint the user was shown, so (a) a code path driven by page content
 *   cannot call them by accident without spelling out that a person clicked, and (b) if the key
 *   changed between showing and clicking, the action fails with 'fingerprint-mismatch' instead of
 *   approving a key the user never saw. The background must only pass `{ origin: 'user' }` from
 *   handlers of its own extension pages (popup/options/verification frame), never from messages
 *   that originate in a content script.
 * - Storage: one sealed record per site (hidden storage key) + an index of sites; loaded lazily.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBase64, bytesToHex } from '../bytes.ts';
import { isPlainObject } from './encoding.ts';
import { err, ok } from '../result.ts';
import { corrupt, type Result } from './errors.ts';
import type { RecordIO } from './records.ts';
import { invalid, LIMITS, READABLE, RECORD_NAMES, STORAGE_KEYS, validateContactList, validateId, type Contact } from './schema.ts';

export interface UserOrigin {
  readonly origin: 'user';
}

export function isUserOrigin(v: unknown): v is UserOrigin {
  return isPlainObject(v) && v.origin === 'user';
}

export type ObserveStatus = 'new-contact' | 'same' | 'key-changed';

export type SendPermission =
  | { allowed: true; verified: boolean }
  | { allowed: false; reason: 'key-changed' | 'unknown-contact' };

export function fingerprintOf(key: Uint8Array): string {
  return bytesToHex(sha256(key));
}

/** Pure TOFU transition. Returns the new contact value (never mutates `existing`). */
export function applyObservation(
  existing: Contact | undefined,
  site: string,
  handle: string,
  key: Uint8Array,
  now: number,
): { status: ObserveStatus; contact: Contact } {
  const keyB64 = bytesToBase64(key);
  const fingerprint = fingerprintOf(key);
  if (!existing) {
    return {
      status: 'new-contact',
      contact: { site, handle, key: keyB64, fingerprint, firstSeen: now, keySince: now, verified: false, keyChanged: false, history: [] },
    };
  }
  if (existing.fingerprint === fingerprint) {
    return { status: existing.keyChanged ? 'key-changed' : 'same', contact: existing };
  }
  const history = [...existing.history, { key: existing.key, fingerprint: existing.fingerprint, firstSeen: existing.keySince, replacedAt: now }];
  return {
    status: 'key-changed',
    contact: {
      ...existing,
      key: keyB64,
      fingerprint,
      keySince: now,
      verified: false,
      keyChanged: true,
      history: history.slice(-LIMITS.historyPerContact),
    },
  };
}

export function sendPermission(contact: Contact | undefined): SendPermission {
  if (!contact) return { allowed: false, reason: 'unknown-contact' };
  if (contact.keyChanged) return { allowed: false, reason: 'key-changed' };
  return { allowed: true, verified: contact.verified };
}

export class ContactBook {
  private sites: string[] | null = null;
  private readonly bySite = new Map<string, Contact[]>();

  constructor(private readonly io: RecordIO) {}

  private async loadIndex(): Promise<Result<string[]>> {
    if (this.sites) return ok(this.sites);
    const rec = await this.io.read(STORAGE_KEYS.contactsIndex, RECORD_NAMES.contactsIndex, READABLE.contacts);
    if (!rec.ok) return rec;
    if (!rec.value) {
      this.sites = [];
      return ok(this.sites);
    }
    const body = rec.value.value;
    if (!isPlainObject(body) || !Array.isArray(body.sites) || body.sites.length > LIMITS.sites) {
      return corrupt(RECORD_NAMES.contactsIndex, 'index malformed');
    }
    const sites: string[] = [];
    for (const s of body.sites) {
      if (!validateId(s, LIMITS.site)) return corrupt(RECORD_NAMES.contactsIndex, 'site malformed');
      sites.push(s);
    }
    this.sites = sites;
    return ok(sites);
  }

  private async loadSite(site: string): Promise<Result<Contact[]>> {
    const cached = this.bySite.get(site);
    if (cached) return ok(cached);
    const name = RECORD_NAMES.contactSite(site);
    const rec = await this.io.read(this.io.hiddenKey(STORAGE_KEYS.contactSitePrefix, name), name, READABLE.contacts);
    if (!rec.ok) return rec;
    let contacts: Contact[] = [];
    if (rec.value) {
      const body = rec.value.value;
      if (!isPlainObject(body) || body.site !== site) return corrupt(name, 'site record malformed');
      const list = validateContactList(body.contacts, LIMITS.contactsPerSite);
      if (!list.ok) return corrupt(name, list.error);
      if (list.value.some((c) => c.site !== site)) return corrupt(name, 'contact filed under the wrong site');
      contacts = list.value;
    }
    this.bySite.set(site, contacts);
    return ok(contacts);
  }

  /** Persists one site's contacts (and the index when the site is new) in one write. */
  private async saveSite(site: string, contacts: Contact[]): Promise<Result<void>> {
    const sites = await this.loadIndex();
    if (!sites.ok) return sites;
    const name = RECORD_NAMES.contactSite(site);
    const items: Record<string, unknown> = {
      [this.io.hiddenKey(STORAGE_KEYS.contactSitePrefix, name)]: this.io.seal(name, { site, contacts }),
    };
    const isNewSite = !sites.value.includes(site);
    if (isNewSite) {
      if (sites.value.length >= LIMITS.sites) return err({ code: 'limit-exceeded', detail: 'too many sites' });
      items[STORAGE_KEYS.contactsIndex] = this.io.seal(RECORD_NAMES.contactsIndex, { sites: [...sites.value, site] });
    }
    const w = await this.io.write(items);
    if (!w.ok) return w;
    // Memory is updated only after the write succeeded, so a failed write changes nothing.
    if (isNewSite) this.sites = [...sites.value, site];
    this.bySite.set(site, contacts);
    return ok(undefined);
  }

  async get(site: string, handle: string): Promise<Result<Contact | undefined>> {
    if (!validateId(site, LIMITS.site) || !validateId(handle, LIMITS.handle)) return invalid('site or handle malformed');
    const list = await this.loadSite(site);
    if (!list.ok) return list;
    return ok(list.value.find((c) => c.handle === handle));
  }

  /** All contacts of one site, or of every site when `site` is omitted (loads every site). */
  async list(site?: string): Promise<Result<Contact[]>> {
    let sites: string[];
    if (site !== undefined) {
      if (!validateId(site, LIMITS.site)) return invalid('site malformed');
      sites = [site];
    } else {
      const idx = await this.loadIndex();
      if (!idx.ok) return idx;
      sites = idx.value;
    }
    const out: Contact[] = [];
    for (const s of sites) {
      const l = await this.loadSite(s);
      if (!l.ok) return l;
      out.push(...l.value);
    }
    return ok(out);
  }

  async observe(site: string, handle: string, key: Uint8Array, now: number): Promise<Result<{ status: ObserveStatus; contact: Contact }>> {
    if (!validateId(site, LIMITS.site) || !validateId(handle, LIMITS.handle)) return invalid('site or handle malformed');
    if (!(key instanceof Uint8Array) || key.length === 0 || key.length > LIMITS.keyBytes) return invalid('key malformed');
    const list = await this.loadSite(site);
    if (!list.ok) return list;
    const existing = list.value.find((c) => c.handle === handle);
    if (!existing && list.value.length >= LIMITS.contactsPerSite) return err({ code: 'limit-exceeded', detail: 'too many contacts on this site' });
    const r = applyObservation(existing, site, handle, key, now);
    if (r.contact !== existing) {
      const next = existing ? list.value.map((c) => (c === existing ? r.contact : c)) : [...list.value, r.contact];
      const w = await this.saveSite(site, next);
      if (!w.ok) return w;
    }
    return ok({ status: r.status, contact: r.contact });
  }

  async canSend(site: string, handle: string): Promise<Result<SendPermission>> {
    const c = await this.get(site, handle);
    if (!c.ok) return c;
    return ok(sendPermission(c.value));
  }

  private async userUpdate(
    site: string,
    handle: string,
    fingerprint: string,
    origin: unknown,
    update: (c: Contact) => Contact,
  ): Promise<Result<Contact>> {
    if (!isUserOrigin(origin)) return err({ code: 'not-user-origin' });
    const got = await this.get(site, handle);
    if (!got.ok) return got;
    const c = got.value;
    if (!c) return err({ code: 'not-found', detail: 'no such contact' });
    if (c.fingerprint !== fingerprint) return err({ code: 'fingerprint-mismatch', expected: fingerprint, actual: c.fingerprint });
    const list = this.bySite.get(site) ?? [];
    const next = update(c);
    const w = await this.saveSite(site, list.map((x) => (x === c ? next : x)));
    if (!w.ok) return w;
    return ok(next);
  }

  /** User accepted the new key without verifying it: sending resumes, still unverified. */
  acceptKeyChange(site: string, handle: string, fingerprint: string, origin: UserOrigin): Promise<Result<Contact>> {
    return this.userUpdate(site, handle, fingerprint, origin, (c) => ({ ...c, keyChanged: false }));
  }

  /** User compared the safety number for this exact key: verified, and any key change accepted. */
  markVerified(site: string, handle: string, fingerprint: string, origin: UserOrigin): Promise<Result<Contact>> {
    return this.userUpdate(site, handle, fingerprint, origin, (c) => ({ ...c, verified: true, keyChanged: false }));
  }

  /**
   * Adds contacts restored from the user's own (passphrase-authenticated) backup. Existing
   * contacts keep their key; a same-key contact the backup marks verified becomes verified.
   */
  async addRestored(contacts: Contact[]): Promise<Result<number>> {
    const bySite = new Map<string, Contact[]>();
    for (const c of contacts) bySite.set(c.site, [...(bySite.get(c.site) ?? []), c]);
    let added = 0;
    for (const [site, incoming] of bySite) {
      const list = await this.loadSite(site);
      if (!list.ok) return list;
      const fresh = incoming.filter((c) => !list.value.some((x) => x.handle === c.handle));
      let upgraded = false;
      const merged = list.value.map((x) => {
        const b = incoming.find((c) => c.handle === x.handle);
        if (b && b.verified && !x.verified && !x.keyChanged && b.fingerprint === x.fingerprint) {
          upgraded = true;
          return { ...x, verified: true };
        }
        return x;
      });
      if (fresh.length === 0 && !upgraded) continue;
      if (merged.length + fresh.length > LIMITS.contactsPerSite) return err({ code: 'limit-exceeded', detail: 'too many contacts on this site' });
      const w = await this.saveSite(site, [...merged, ...fresh.map((c) => ({ ...c, keyChanged: false }))]);
      if (!w.ok) return w;
      added += fresh.length;
    }
    return ok(added);
  }
}
