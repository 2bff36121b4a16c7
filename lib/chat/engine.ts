/**
 * The text engine: what the background does with chat text. Pure logic over the keyring, the
 * conversation store, the protocol and the armor; the background wires it to messages and tabs.
 *
 *   found()          armored text the content script saw → what to show for each message
 *                    (plaintext stays here; the page gets a token for a Veil frame)
 *   startEncryption  posts the query line
 *   answerQuery      the user accepted (or ignored) a peer's query → key agreement starts
 *   composeSend      plaintext from Veil's compose frame → ciphertext texts to post
 *
 * Every state change a ciphertext depends on is persisted (ConversationStore.savePeer) before the
 * texts that carry it are returned to be posted. All calls run one at a time.
 */
import { Reassembler, armorFragments, findArmor, fragmentSlices, makeQueryLine, parseQuery, type ArmorPayload } from '../armor/index.ts';
import { bytesToHex, hexToBytes, randomBytes } from '../bytes.ts';
import type { CacheEntry, Direction, Keyring } from '../keyring/index.ts';
import type { Result } from '../messaging/errors.ts';
import type { Badge, ConversationView, FoundDisplay, FoundResult, MessageFrameView } from '../messaging/views.ts';
import {
  activeSessionInfo,
  decodeWireMessage,
  encryptMessage,
  formatSafetyNumber,
  newConversation,
  parseIdentity,
  receive,
  startKeyAgreement,
  type ConversationError,
  type ConversationEvent,
  type ConversationState,
  type Identity,
  type Rng,
} from '../protocol/index.ts';
import { fail, ok } from '../result.ts';
import { payloadDigest, queryKey } from './digest.ts';
import type { ConversationStore, PeerKey, PeerRecord, StoreError } from './store.ts';
import type { TokenStore } from './tokens.ts';
import type { PageContext, Post } from './types.ts';

export interface EngineDeps {
  keyring: Keyring;
  conversations: ConversationStore;
  tokens: TokenStore;
  now?: () => number;
  rng?: Rng;
  /** Where a person without Veil can get it (shown in the query line). */
  inviteUrl: string;
}

export interface FoundItem {
  key: string;
  author: string;
  text: string;
  duplicate?: boolean;
}

/** Peers may re-key us after an undecryptable message at most this often. */
export const REKEY_MIN_INTERVAL_MS = 30_000;
/** A commit from a peer is answered without asking if we sent a query this recently. */
export const QUERY_VALID_MS = 7 * 24 * 3600 * 1000;

const fromStore = (e: StoreError) => fail(e.code === 'locked' ? 'locked' : 'storage', e.message);

const LOCKED_DISPLAY: FoundDisplay = { kind: 'error', badge: 'locked', label: 'Veil is locked. Unlock Veil to read this message.' };

/** One chat message being read: where it is, who wrote it, and where texts to post go. */
interface Reading {
  page: PageContext;
  identity: Identity;
  author: string;
  posts: Post[];
}

/** What one digest is filed as in the plaintext cache (see CacheEntry). */
interface Filing {
  digest: string;
  sender: string;
  direction: Direction;
  entry: CacheEntry;
}

const peerOfPage = (page: PageContext, peer: string): PeerKey => ({ site: page.site, conversationId: page.conversationId, peer });

export class TextEngine {
  private readonly keyring: Keyring;
  private readonly conversations: ConversationStore;
  private readonly tokens: TokenStore;
  private readonly now: () => number;
  private readonly rng: Rng | undefined;
  private readonly inviteUrl: string;
  private readonly reassembler = new Reassembler();
  private queue: Promise<unknown> = Promise.resolve();
  private identity: { key: string; value: Identity } | null = null;

  constructor(deps: EngineDeps) {
    this.keyring = deps.keyring;
    this.conversations = deps.conversations;
    this.tokens = deps.tokens;
    this.now = deps.now ?? (() => Date.now());
    this.rng = deps.rng;
    this.inviteUrl = deps.inviteUrl;
  }

  /** Runs calls one at a time: a conversation's state must never be read twice before a write. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadIdentity(): Promise<Result<Identity>> {
    if (this.keyring.state !== 'unlocked') return fail('locked', 'Veil is locked');
    const got = await this.keyring.getIdentity();
    if (!got.ok) return fail(got.error.code === 'locked' ? 'locked' : 'storage', `identity: ${got.error.code}`);
    if (got.value === null) return fail('no-identity', 'Create your Veil identity first (open the Veil popup).');
    const cacheKey = JSON.stringify(got.value);
    if (this.identity?.key === cacheKey) return ok(this.identity.value);
    const parsed = parseIdentity(got.value);
    if (!parsed.ok) return fail('storage', `identity unreadable: ${parsed.error.message}`);
    this.identity = { key: cacheKey, value: parsed.value };
    return ok(parsed.value);
  }

  // ────────────────────────────────────────────────────────────────────────────── found text

  found(page: PageContext, items: FoundItem[]): Promise<Result<{ results: FoundResult[]; posts: Post[] }>> {
    return this.serial(async () => {
      const posts: Post[] = [];
      const results: FoundResult[] = [];
      const identity = await this.loadIdentity();
      for (const item of items) {
        const author = item.author.trim();
        let display: FoundDisplay | null;
        if (!identity.ok) {
          display = identity.error.code === 'no-identity' ? { kind: 'error', badge: 'locked', label: identity.error.message } : LOCKED_DISPLAY;
        } else {
          display = await this.displayFor({ page, identity: identity.value, author, posts }, item.text);
          // A ciphertext shown twice at once is a replay: the first stays, the copy is flagged.
          if (item.duplicate && display && display.kind !== 'query' && display.kind !== 'error') {
            display = { kind: 'error', badge: 'tampered', label: 'This repeats an earlier Veil message (possible replay).' };
          }
        }
        if (display) results.push({ key: item.key, display });
      }
      // A long message completed by a later part of this batch: its first part can show now.
      if (identity.ok && results.some((r) => r.display.kind === 'fragment' && r.display.complete)) {
        for (const [i, r] of results.entries()) {
          if (r.display.kind !== 'fragment' || r.display.complete) continue;
          const item = items.find((it) => it.key === r.key)!;
          const again = await this.displayFor({ page, identity: identity.value, author: item.author.trim(), posts }, item.text);
          if (again) results[i] = { key: r.key, display: again };
        }
      }
      await this.tokens.flush();
      return ok({ results, posts });
    });
  }

  private async displayFor(reading: Reading, text: string): Promise<FoundDisplay | null> {
    const findings = findArmor(text);
    const query = parseQuery(text);
    if (findings.length === 0 || (query && query.start < findings[0]!.start)) {
      return query ? this.displayQuery(reading.page, reading.author, text) : null;
    }
    // One armor block per chat message is what Veil posts; a second one is ignored.
    const finding = findings[0]!;
    if (!finding.result.ok) {
      return { kind: 'error', badge: 'tampered', label: `Damaged Veil message (${finding.result.error.code}).` };
    }
    return this.displayPayload(reading, finding.result.value);
  }

  private async displayQuery(page: PageContext, author: string, text: string): Promise<FoundDisplay> {
    if (author === page.selfHandle) return { kind: 'query', token: null, fromSelf: true };
    const key = queryKey(author, text);
    const meta = await this.conversations.loadMeta(page);
    if (!meta.ok) return { kind: 'error', badge: 'locked', label: meta.error.message };
    if (meta.value.answeredQueries.includes(key)) return { kind: 'handshake', label: `${author} asked to start an encrypted chat (answered).` };
    return { kind: 'query', token: await this.queryToken(page, { peer: author, queryKey: key, commitHex: null }), fromSelf: false };
  }

  /** A token for a prompt frame that asks the user to answer a query (or an unsolicited commit). */
  private queryToken(page: PageContext, q: { peer: string; queryKey: string; commitHex: string | null }): Promise<string> {
    return this.tokens.issue({ kind: 'query', tabId: page.tabId, site: page.site, conversationId: page.conversationId, ...q });
  }

  private async displayPayload(reading: Reading, payload: ArmorPayload): Promise<FoundDisplay> {
    const { page, author } = reading;
    const digest = payloadDigest(payload);
    const cached = await this.keyring.cacheGet({ digest });
    if (!cached.ok) return cached.error.code === 'locked' ? LOCKED_DISPLAY : { kind: 'error', badge: 'undecryptable', label: 'Veil storage error.' };
    if (cached.value) {
      // A page can copy a ciphertext into another conversation: never show it as if sent there.
      if (cached.value.site !== page.site || cached.value.conversation !== page.conversationId) {
        return { kind: 'error', badge: 'tampered', label: 'This Veil message was copied from another conversation.' };
      }
      return this.cachedDisplay(page, digest, cached.value);
    }

    let bytes: Uint8Array;
    let fragment: (ArmorPayload & { kind: 'fragment' }) | null = null;
    if (payload.kind === 'fragment') {
      const channel = `${page.site}\n${page.conversationId}\n${author}`;
      const r = this.reassembler.add(payload, this.now(), channel);
      if (r.status === 'error') return { kind: 'error', badge: 'tampered', label: `Damaged message part (${r.error.code}).` };
      if (r.status === 'incomplete') return { kind: 'fragment', index: payload.index, count: payload.count, complete: false };
      bytes = r.bytes;
      fragment = payload;
    } else {
      bytes = payload.bytes;
    }

    const outcome = await this.receiveWire(reading, bytes);
    if (outcome.kind !== 'message') return outcome.display;
    const text: CacheEntry = { kind: 'text', badge: outcome.badge, plaintext: outcome.text };
    if (fragment === null) {
      await this.cachePut(page, { digest, sender: author, direction: 'received', entry: text });
      return this.cachedDisplay(page, digest, text);
    }
    // Reassembled: file the text under fragment 0 and every other part as "part k of n", so each
    // part's element finds its answer in the cache when it asks again (a part asked again after
    // reassembly would otherwise start a new, never-completing reassembly).
    const digests = this.partDigests(fragment, bytes);
    await this.fileParts(page, { digests, sender: author, direction: 'received', text });
    if (fragment.index === 0) return this.cachedDisplay(page, digests[0]!, text);
    return { kind: 'fragment', index: fragment.index, count: fragment.count, complete: true };
  }

  /** Each part's digest, from the reassembled bytes split the way armorFragments splits them. */
  private partDigests(payload: ArmorPayload & { kind: 'fragment' }, whole: Uint8Array): string[] {
    return fragmentSlices(whole.length, payload.count).map(([start, end], index) =>
      payloadDigest({ kind: 'fragment', id: payload.id, index, count: payload.count, bytes: whole.subarray(start, end) }),
    );
  }

  private async cachedDisplay(page: PageContext, digest: string, entry: CacheEntry): Promise<FoundDisplay> {
    if (entry.kind === 'part') return { kind: 'fragment', index: entry.index, count: entry.count, complete: true };
    const token = await this.tokens.issue({ kind: 'message', tabId: page.tabId, digest });
    return { kind: 'message', token, badge: toBadge(entry.badge) };
  }

  private async cachePut(page: PageContext, f: Filing): Promise<void> {
    await this.keyring.cachePut({ ...f.entry, digest: f.digest, site: page.site, conversation: page.conversationId, direction: f.direction, sender: f.sender, time: this.now() });
  }

  /**
   * A message's text under its first part's digest, and every other part of a long message as a
   * marker, so each part's element finds its answer in the cache when it asks again. (A part
   * whose digest is unknown, null, is skipped.)
   */
  private async fileParts(page: PageContext, m: { digests: Array<string | null>; sender: string; direction: Direction; text: CacheEntry }): Promise<void> {
    const count = m.digests.length;
    for (const [index, digest] of m.digests.entries()) {
      if (digest === null) continue;
      const entry: CacheEntry = index === 0 ? m.text : { kind: 'part', index, count };
      await this.cachePut(page, { digest, sender: m.sender, direction: m.direction, entry });
    }
  }

  /** Runs one wire message through the conversation with `author`. */
  private async receiveWire(
    reading: Reading,
    bytes: Uint8Array,
  ): Promise<{ kind: 'message'; text: string; badge: Badge } | { kind: 'display'; display: FoundDisplay }> {
    const { page, identity, author, posts } = reading;
    const show = (display: FoundDisplay) => ({ kind: 'display' as const, display });
    const decoded = decodeWireMessage(bytes);
    if (!decoded.ok) return show({ kind: 'error', badge: 'tampered', label: `Damaged Veil message (${decoded.error.code}).` });
    const type = decoded.value.type;
    const isHandshake = type === 'commit' || type === 'reply' || type === 'reveal' || type === 'prekey-bundle';
    if (author === page.selfHandle) {
      return isHandshake
        ? show({ kind: 'handshake', label: 'Veil key exchange (sent by you).' })
        : show({ kind: 'error', badge: 'undecryptable', label: 'Sent by you earlier; this device no longer has its text.' });
    }

    const loaded = await this.conversations.loadPeer(peerOfPage(page, author));
    if (!loaded.ok) return show({ kind: 'error', badge: 'locked', label: loaded.error.message });
    let rec = loaded.value;
    if (!rec) {
      if (type === 'commit') {
        const meta = await this.conversations.loadMeta(page);
        const invited = meta.ok && this.now() - meta.value.querySentAt < QUERY_VALID_MS;
        if (!invited) {
          // An unsolicited key agreement: the user decides, as for a query.
          const commitHex = bytesToHex(bytes);
          return show({ kind: 'query', token: await this.queryToken(page, { peer: author, queryKey: commitHex, commitHex }), fromSelf: false });
        }
      }
      const created = newConversation({ site: page.site, conversationId: page.conversationId, selfHandle: page.selfHandle, peerHandle: author });
      if (!created.ok) return show({ kind: 'error', badge: 'undecryptable', label: created.error.message });
      rec = { state: created.value, established: null, notice: null, lastRekeyAt: 0 };
    }

    const r = receive(rec.state, { identity, wire: bytes, now: this.now(), rng: this.rng });
    if (!r.ok) return show(await this.onReceiveError(reading, rec, { error: r.error, isHandshake }));

    const next: PeerRecord = { ...rec, state: r.value.state };
    let text: string | null = null;
    for (const ev of r.value.events) {
      const t = await this.applyEvent(reading, next, ev);
      if (t !== null) text = t;
    }
    const saved = await this.conversations.savePeer(peerOfPage(page, author), next);
    if (!saved.ok) return show({ kind: 'error', badge: 'undecryptable', label: saved.error.message });
    await this.rememberPeer(page, author);
    if (r.value.outgoing.length > 0) posts.push({ tabId: page.tabId, texts: this.armorAll(page, r.value.outgoing), reason: 'handshake' });

    if (text !== null) return { kind: 'message', text, badge: await this.badgeFor(page.site, author) };
    const established = r.value.events.some((e) => e.type === 'session-established');
    return show({ kind: 'handshake', label: established ? 'Veil: encrypted session established.' : 'Veil key exchange.' });
  }

  private async applyEvent(reading: Reading, rec: PeerRecord, ev: ConversationEvent): Promise<string | null> {
    const { page, identity, author: peer } = reading;
    if (ev.type === 'message') return ev.text;
    if (ev.type === 'session-established') {
      const observed = await this.keyring.observePeerKey(page.site, peer, ev.peerIdentity, this.now());
      const info = activeSessionInfo(rec.state, identity);
      rec.established = {
        sessionId: ev.sessionId,
        safetyNumber: null,
        sas: ev.sas ? ev.sas.text : (info?.sas?.text ?? null),
        peerKeyHex: bytesToHex(ev.peerIdentity),
      };
      rec.notice =
        observed.ok && observed.value.status === 'key-changed'
          ? `${peer}'s key changed. Sending is blocked until you compare safety numbers and accept the new key in Veil.`
          : null;
    }
    return null;
  }

  private async onReceiveError(
    reading: Reading,
    rec: PeerRecord,
    { error, isHandshake }: { error: ConversationError; isHandshake: boolean },
  ): Promise<FoundDisplay> {
    const { page, identity, author, posts } = reading;
    switch (error.code) {
      case 'malformed':
      case 'bad-peer-key':
      case 'reflected-identity':
      case 'key-confirmation-failed':
      case 'bad-prekey-bundle':
        return { kind: 'error', badge: 'tampered', label: `Veil rejected this message: ${error.message}` };
      case 'replay':
        return { kind: 'error', badge: 'tampered', label: 'Replayed Veil message (ignored).' };
      case 'duplicate':
      case 'own-message':
        return isHandshake
          ? { kind: 'handshake', label: 'Veil key exchange.' }
          : { kind: 'error', badge: 'undecryptable', label: 'Already read once; its text is no longer stored on this device.' };
    }
    if (isHandshake) return { kind: 'handshake', label: `Veil key exchange (${error.code}).` };
    if (error.recovery === 'rekey' && this.now() - rec.lastRekeyAt >= REKEY_MIN_INTERVAL_MS) {
      const restarted = startKeyAgreement(rec.state, identity, this.rng);
      if (restarted.ok) {
        const next: PeerRecord = { ...rec, state: restarted.value.state, lastRekeyAt: this.now(), notice: error.userNotice ?? null };
        const saved = await this.conversations.savePeer(peerOfPage(page, author), next);
        if (saved.ok) posts.push({ tabId: page.tabId, texts: this.armorAll(page, restarted.value.outgoing), reason: 'handshake' });
      }
    }
    return { kind: 'error', badge: 'undecryptable', label: error.userNotice ?? `Could not decrypt this message (${error.code}).` };
  }

  private armorAll(page: PageContext, wires: Uint8Array[]): string[] {
    return wires.flatMap((w) => armorFragments(w, { alphabet: page.alphabet, maxChars: page.maxChars }));
  }

  private async rememberPeer(page: PageContext, peer: string): Promise<void> {
    const meta = await this.conversations.loadMeta(page);
    if (meta.ok && meta.value.lastPeer !== peer) await this.conversations.saveMeta(page, { ...meta.value, lastPeer: peer });
  }

  private async badgeFor(site: string, peer: string): Promise<Badge> {
    const c = await this.keyring.getContact(site, peer);
    if (!c.ok || !c.value) return 'unverified';
    if (c.value.keyChanged) return 'key-changed';
    return c.value.verified ? 'verified' : 'unverified';
  }

  // ─────────────────────────────────────────────────────────────────────── starting a session

  /** The query line to post: it asks the peer's Veil to start a key agreement. */
  startEncryption(page: PageContext): Promise<Result<Post>> {
    return this.serial(async () => {
      const identity = await this.loadIdentity();
      if (!identity.ok) return identity;
      const meta = await this.conversations.loadMeta(page);
      if (!meta.ok) return fromStore(meta.error);
      // A fresh reference per query, so a later query is not mistaken for an answered one.
      const ref = bytesToHex((this.rng ?? defaultRef)(4));
      const line = makeQueryLine({ name: page.selfHandle, url: `${this.inviteUrl}#${ref}` });
      const saved = await this.conversations.saveMeta(page, { ...meta.value, querySentAt: this.now() });
      if (!saved.ok) return fromStore(saved.error);
      return ok({ tabId: page.tabId, texts: [line], reason: 'query' });
    });
  }

  /** The user answered a query prompt in Veil's frame. Accepting starts the key agreement. */
  answerQuery(page: PageContext, token: string, accept: boolean): Promise<Result<Post | null>> {
    return this.serial(async () => {
      const purpose = await this.tokens.resolve(token);
      if (!purpose || purpose.kind !== 'query' || purpose.tabId !== page.tabId) return fail('not-found', 'This request is no longer valid.');
      const identity = await this.loadIdentity();
      if (!identity.ok) return identity;
      const meta = await this.conversations.loadMeta(purpose);
      if (!meta.ok) return fromStore(meta.error);
      if (meta.value.answeredQueries.includes(purpose.queryKey)) return fail('not-found', 'This request was already answered.');
      const answered = { ...meta.value, answeredQueries: [...meta.value.answeredQueries, purpose.queryKey] };
      if (!accept) {
        const s = await this.conversations.saveMeta(purpose, answered);
        return s.ok ? { ok: true, value: null } : fromStore(s.error);
      }
      const loaded = await this.conversations.loadPeer(purpose);
      if (!loaded.ok) return fromStore(loaded.error);
      let state: ConversationState;
      if (loaded.value) state = loaded.value.state;
      else {
        const created = newConversation({ site: purpose.site, conversationId: purpose.conversationId, selfHandle: page.selfHandle, peerHandle: purpose.peer });
        if (!created.ok) return fail('invalid-message', created.error.message);
        state = created.value;
      }
      const step = purpose.commitHex
        ? receive(state, { identity: identity.value, wire: hexToBytes(purpose.commitHex), now: this.now(), rng: this.rng })
        : startKeyAgreement(state, identity.value, this.rng);
      if (!step.ok) return fail('invalid-message', step.error.message);
      const rec: PeerRecord = { state: step.value.state, established: loaded.value?.established ?? null, notice: null, lastRekeyAt: loaded.value?.lastRekeyAt ?? 0 };
      const saved = await this.conversations.savePeer(purpose, rec);
      if (!saved.ok) return fromStore(saved.error);
      const m = await this.conversations.saveMeta(purpose, { ...answered, lastPeer: purpose.peer });
      if (!m.ok) return fromStore(m.error);
      return ok({ tabId: page.tabId, texts: this.armorAll(page, step.value.outgoing), reason: 'handshake' });
    });
  }

  // ─────────────────────────────────────────────────────────────────────────────── compose

  /** A token for Veil's compose frame in this tab and conversation. */
  issueComposeToken(page: PageContext): Promise<string> {
    return this.tokens.issue({ kind: 'compose', tabId: page.tabId, site: page.site, conversationId: page.conversationId });
  }

  /** True if the token names a compose box of this tab's current conversation. */
  async checkComposeToken(page: PageContext, token: string): Promise<boolean> {
    const p = await this.tokens.resolve(token);
    return p?.kind === 'compose' && p.tabId === page.tabId && p.site === page.site && p.conversationId === page.conversationId;
  }

  /** Encrypts text typed in Veil's compose frame; the returned texts go through the site's editor. */
  composeSend(page: PageContext, plaintext: string): Promise<Result<Post>> {
    return this.serial(async () => {
      const identity = await this.loadIdentity();
      if (!identity.ok) return identity;
      const peer = await this.peerOf(page);
      if (!peer) return fail('no-session', 'No encrypted session in this conversation yet: start encryption first.');
      const perm = await this.keyring.canSend(page.site, peer);
      if (!perm.ok) return fail(perm.error.code === 'locked' ? 'locked' : 'storage', `contacts: ${perm.error.code}`);
      if (!perm.value.allowed) {
        return fail('blocked', perm.value.reason === 'key-changed'
          ? `${peer}'s key changed. Compare safety numbers and accept the new key in Veil before sending.`
          : `No verified key for ${peer} yet.`);
      }
      const loaded = await this.conversations.loadPeer(peerOfPage(page, peer));
      if (!loaded.ok) return fromStore(loaded.error);
      if (!loaded.value) return fail('no-session', 'No encrypted session in this conversation yet.');
      const enc = encryptMessage(loaded.value.state, plaintext, this.rng);
      if (!enc.ok) return fail(enc.error.code === 'too-long' ? 'too-long' : 'no-session', enc.error.message);
      const texts = armorFragments(enc.value.wire, { alphabet: page.alphabet, maxChars: page.maxChars });
      // Persist the ratchet step before any ciphertext can leave.
      const saved = await this.conversations.savePeer(peerOfPage(page, peer), { ...loaded.value, state: enc.value.state });
      if (!saved.ok) return fromStore(saved.error);
      // File our own text under the digests the rendered messages will have.
      const badge = await this.badgeFor(page.site, peer);
      const digests = texts.map((t) => findArmor(t)[0]?.result).map((f) => (f?.ok ? payloadDigest(f.value) : null));
      await this.fileParts(page, { digests, sender: page.selfHandle, direction: 'sent', text: { kind: 'text', badge, plaintext } });
      return ok({ tabId: page.tabId, texts, reason: 'message' });
    });
  }

  private async peerOf(page: PageContext): Promise<string | null> {
    if (page.peerHandle) return page.peerHandle;
    const meta = await this.conversations.loadMeta(page);
    return meta.ok ? meta.value.lastPeer : null;
  }

  // ─────────────────────────────────────────────────────────────────────────────── views

  /** Plaintext for a message frame. The token must have been issued to this tab. */
  messageView(tabId: number, token: string): Promise<Result<MessageFrameView>> {
    return this.serial(async () => {
      const purpose = await this.tokens.resolve(token);
      if (!purpose || purpose.kind !== 'message' || purpose.tabId !== tabId) return fail('not-found', 'Unknown message.');
      const got = await this.keyring.cacheGet({ digest: purpose.digest });
      if (!got.ok) return fail(got.error.code === 'locked' ? 'locked' : 'storage', 'Veil is locked.');
      // Message tokens are issued for text entries only; a part marker has no text of its own.
      if (!got.value || got.value.kind !== 'text') return fail('not-found', 'This message is no longer stored on this device.');
      const m = got.value;
      let badge = toBadge(m.badge);
      if (m.direction === 'received' && badge !== 'key-changed') badge = await this.badgeFor(m.site, m.sender);
      return ok({ text: m.plaintext, author: m.sender, badge, direction: m.direction, time: m.time });
    });
  }

  /** What the popup and compose frame show about a tab's conversation. */
  conversationView(page: PageContext): Promise<Result<ConversationView>> {
    return this.serial(async () => {
      const base: ConversationView = {
        site: page.site,
        conversationId: page.conversationId,
        selfHandle: page.selfHandle,
        peerHandle: null,
        status: 'none',
        badge: null,
        safetyNumber: null,
        sas: null,
        canSend: false,
        notice: null,
      };
      if (this.keyring.state !== 'unlocked') return ok({ ...base, badge: 'locked', notice: 'Veil is locked.' });
      const meta = await this.conversations.loadMeta(page);
      if (!meta.ok) return fromStore(meta.error);
      const peer = page.peerHandle ?? meta.value.lastPeer;
      if (!peer) return ok({ ...base, status: meta.value.querySentAt > 0 ? 'query-sent' : 'none' });
      const rec = await this.conversations.loadPeer(peerOfPage(page, peer));
      if (!rec.ok) return fromStore(rec.error);
      const view: ConversationView = { ...base, peerHandle: peer };
      if (!rec.value) return ok({ ...view, status: meta.value.querySentAt > 0 ? 'query-sent' : 'none' });
      const badge = await this.badgeFor(page.site, peer);
      const hasSession = rec.value.state.session !== null;
      let est = rec.value.established;
      if (est && est.safetyNumber === null) {
        const identity = await this.loadIdentity();
        const info = identity.ok ? activeSessionInfo(rec.value.state, identity.value) : null;
        if (info) {
          est = { ...est, safetyNumber: info.safetyNumber() };
          await this.conversations.savePeer(peerOfPage(page, peer), { ...rec.value, established: est });
        }
      }
      return {
        ok: true,
        value: {
          ...view,
          status: !hasSession ? 'handshaking' : badge === 'key-changed' ? 'blocked-key-change' : 'established',
          badge: hasSession ? badge : 'pending',
          safetyNumber: est?.safetyNumber ? formatSafetyNumber(est.safetyNumber) : null,
          sas: est?.sas ?? null,
          canSend: hasSession && badge !== 'key-changed',
          notice: rec.value.notice,
        },
      };
    });
  }
}

const defaultRef: Rng = randomBytes;

const BADGES: readonly Badge[] = ['verified', 'unverified', 'key-changed', 'undecryptable', 'tampered', 'pending', 'locked'];
function toBadge(s: string): Badge {
  return (BADGES as readonly string[]).includes(s) ? (s as Badge) : 'unverified';
}
