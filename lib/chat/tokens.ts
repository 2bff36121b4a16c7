/**
 * Tokens name what a Veil frame shows (a message, a compose box, a query prompt) without the
 * page learning anything: 128 random bits, mapped to a purpose in the background. Kept in
 * storage.session so frames keep working across a background restart; bounded (oldest dropped).
 */
import { bytesToHex, randomBytes } from '../bytes.ts';
import type { KeyValueStore } from '../keyring/index.ts';
import type { TokenPurpose } from './types.ts';

const KEY = 'veil.tokens';
export const MAX_TOKENS = 4000;

export class TokenStore {
  private byToken: Map<string, TokenPurpose> | null = null;
  private byPurpose = new Map<string, string>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly random: (n: number) => Uint8Array = randomBytes,
  ) {}

  private async load(): Promise<Map<string, TokenPurpose>> {
    if (this.byToken) return this.byToken;
    const got = await this.store.get([KEY]);
    const raw = got[KEY];
    const map = new Map<string, TokenPurpose>();
    if (Array.isArray(raw)) {
      for (const e of raw as unknown[]) {
        if (Array.isArray(e) && typeof e[0] === 'string' && e[1] && typeof e[1] === 'object') {
          map.set(e[0], e[1] as TokenPurpose);
          this.byPurpose.set(JSON.stringify(e[1]), e[0]);
        }
      }
    }
    this.byToken ??= map;
    return this.byToken;
  }

  /** Writes are coalesced: one storage write per burst of issued tokens. */
  private scheduleFlush(): void {
    this.flushing ??= Promise.resolve().then(async () => {
      this.flushing = null;
      if (this.byToken) await this.store.set({ [KEY]: [...this.byToken.entries()] });
    });
  }

  /** Resolves once pending token writes reached storage. */
  async flush(): Promise<void> {
    await this.flushing;
  }

  /** Issues a token, reusing the existing one for an identical purpose (re-rendered messages). */
  async issue(purpose: TokenPurpose): Promise<string> {
    const map = await this.load();
    const key = JSON.stringify(purpose);
    const existing = this.byPurpose.get(key);
    if (existing && map.has(existing)) return existing;
    const token = bytesToHex(this.random(16));
    map.set(token, purpose);
    this.byPurpose.set(key, token);
    while (map.size > MAX_TOKENS) {
      const [oldest, p] = map.entries().next().value as [string, TokenPurpose];
      map.delete(oldest);
      this.byPurpose.delete(JSON.stringify(p));
    }
    this.scheduleFlush();
    return token;
  }

  async resolve(token: string): Promise<TokenPurpose | null> {
    return (await this.load()).get(token) ?? null;
  }
}
