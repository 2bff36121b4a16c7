/**
 * Watches the message list and hands armored messages to the background in bounded batches.
 * The mutation callback only records changed nodes; scanning happens debounced. Each message
 * element gets a local key (WeakMap); a re-rendered element is a new element, gets a new key,
 * and the background answers it from its plaintext cache.
 */
import { messenger } from '../../lib/messaging';
import { FOUND_LIMITS } from '../../lib/messaging/protocol';
import type { FoundDisplay } from '../../lib/messaging/views';
import { ask } from './bg';
import { showDisplay } from './display';
import { isVeilNode } from './dom';
import type { PageAdapter } from './site';
import { hasVeilText } from './text';

const DEBOUNCE_MS = 150;
/** Messages looked at per scan: a huge history is worked through over several scans. */
const SCAN_LIMIT = 512;
/** Messages looked at per scan at all (a lookup each when unchanged). */
const MAX_MESSAGES = 50_000;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30_000;

interface Entry {
  key: string;
  text: string;
  /** What is drawn now (JSON), so an identical answer does not rebuild a frame. */
  shown: string | null;
  asked: boolean;
}

let keySeq = 0;
function newKey(): string {
  keySeq = (keySeq + 1) % 1e9;
  return `k${keySeq.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

export class Finder {
  private entries = new WeakMap<Element, Entry>();
  private changed = new Set<Node>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private observer: MutationObserver | null = null;
  private root: Element | null = null;
  private waiting = new Map<string, Element>();
  /** Which element first showed each armored text: a second one on the page is a replay. */
  private owners = new Map<string, Element>();
  /** Parts of long messages still waiting for their other parts: asked again with the next batch. */
  private incomplete = new Map<Element, string>();
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(
    private adapter: PageAdapter,
    private conversationId: () => string,
  ) {}

  start(): void {
    this.attach();
  }

  /** Re-attaches when the site replaced its list (navigation), then rescans it whole. */
  private attach(): void {
    const root = this.adapter.listRoot();
    if (!root || root === this.root) return;
    this.observer?.disconnect();
    this.root = root;
    this.observer = new MutationObserver((records) => {
      // Veil's own drawing is not a change to scan: otherwise every redraw would scan again.
      let any = false;
      for (const r of records) {
        if (r.type === 'characterData') {
          if (!isVeilNode(r.target)) {
            this.changed.add(r.target);
            any = true;
          }
        } else {
          for (const n of r.addedNodes) {
            if (isVeilNode(n)) continue;
            this.changed.add(n);
            any = true;
          }
        }
      }
      if (any) this.schedule();
    });
    this.observer.observe(root, { childList: true, subtree: true, characterData: true });
    this.changed.add(root);
    this.schedule();
  }

  /** Ask again about every armored message on the page (tab:refresh, conversation change). */
  rescanAll(): void {
    this.entries = new WeakMap();
    this.root = null;
    this.attach();
    if (this.root) this.changed.add(this.root);
    this.schedule();
  }

  /** Periodic light check (navigation replaces lists without touching the old root). */
  tick(): void {
    const root = this.adapter.listRoot();
    if (root !== this.root || (this.root && !this.root.isConnected)) this.attach();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // A scan that failed is done again on the next change.
      void this.flush().catch(() => undefined);
    }, DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    if (this.running) {
      this.schedule();
      return;
    }
    this.running = true;
    try {
      const nodes = [...this.changed].filter((n) => n.isConnected && !isVeilNode(n));
      this.changed.clear();
      // Oldest first, so ratchet chains are read in order (skipping ahead is bounded); at most
      // SCAN_LIMIT messages that need work per scan, the rest in the next scan. Messages already
      // handled cost one lookup, so a long history is worked through, not re-read.
      const messages = this.adapter.messagesAround(nodes, MAX_MESSAGES);
      const items: Array<{ key: string; author: string; text: string; el: Element; duplicate: boolean }> = [];
      let more = false;
      for (const m of messages) {
        const body = this.adapter.bodyOf(m);
        const text = body.textContent ?? '';
        const prev = this.entries.get(body);
        if (prev && prev.text === text) continue;
        if (items.length >= SCAN_LIMIT) {
          more = true;
          break;
        }
        if (text.length > FOUND_LIMITS.textChars || !hasVeilText(text)) {
          if (prev) showDisplay(body, null);
          this.entries.delete(body);
          continue;
        }
        const entry: Entry = { key: newKey(), text, shown: null, asked: false };
        this.entries.set(body, entry);
        items.push({ key: entry.key, author: this.adapter.authorOf(m), text, el: body, duplicate: this.isDuplicate(text, body) });
      }
      // Parts of long messages that were waiting for others go with a batch that has something
      // new (perhaps their missing part), after it; nothing new, nothing to re-ask.
      if (items.length > 0) {
        const asked = new Set(items.map((it) => it.el));
        for (const [el, author] of this.incomplete) {
          const prev = this.entries.get(el);
          if (!el.isConnected || !prev || asked.has(el)) continue;
          // Same drawing kept: an unchanged answer does not rebuild anything.
          const entry: Entry = { ...prev, key: newKey() };
          this.entries.set(el, entry);
          items.push({ key: entry.key, author, text: prev.text, el, duplicate: false });
        }
        this.incomplete.clear();
      }
      for (let i = 0; i < items.length; i += FOUND_LIMITS.items) await this.ask(items.slice(i, i + FOUND_LIMITS.items));
      if (more && this.root) {
        // More than one scan's worth: continue with the older rest later.
        this.changed.add(this.root);
        this.schedule();
      }
    } finally {
      this.running = false;
    }
  }

  private isDuplicate(text: string, body: Element): boolean {
    const owner = this.owners.get(text);
    if (owner && owner !== body && owner.isConnected) return true;
    this.owners.set(text, body);
    if (this.owners.size > 4096) {
      for (const [t, el] of this.owners) if (!el.isConnected) this.owners.delete(t);
    }
    return false;
  }

  private async ask(items: Array<{ key: string; author: string; text: string; el: Element; duplicate: boolean }>): Promise<void> {
    const reply = await ask(() =>
      messenger.sendMessage('content:found', {
        conversationId: this.conversationId(),
        items: items.map(({ key, author, text, duplicate }) => (duplicate ? { key, author, text, duplicate } : { key, author, text })),
      }),
    );
    if (reply === null || !reply.ok) {
      // No answer (background not ready, or not handling this yet): say so, retry later.
      for (const it of items) {
        this.waiting.set(it.key, it.el);
        this.draw(it.el, { kind: 'pending' });
      }
      this.scheduleRetry();
      return;
    }
    this.retryMs = RETRY_MIN_MS;
    const byKey = new Map(items.map((it) => [it.key, it] as const));
    const answered = Array.isArray(reply.value) ? reply.value : [];
    for (const r of answered.slice(0, items.length)) {
      const it = byKey.get(r?.key);
      if (!it || !isDisplay(r.display)) continue;
      this.waiting.delete(r.key);
      if (r.display.kind === 'fragment' && !r.display.complete) this.incomplete.set(it.el, it.author);
      else this.incomplete.delete(it.el);
      this.draw(it.el, r.display);
    }
  }

  private draw(el: Element, display: FoundDisplay | { kind: 'pending' }): void {
    const entry = this.entries.get(el);
    const json = JSON.stringify(display);
    if (entry && entry.shown === json) return;
    if (entry) entry.shown = json;
    showDisplay(el, display);
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryWaiting();
    }, this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  /** Re-asks about messages that got no answer; called on a timer and on tab:refresh. */
  retryWaiting(): void {
    for (const [key, el] of this.waiting) {
      this.waiting.delete(key);
      if (!el.isConnected) continue;
      this.entries.delete(el);
      this.changed.add(el);
    }
    this.schedule();
  }
}

function isDisplay(d: unknown): d is FoundDisplay {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as Record<string, unknown>;
  switch (x.kind) {
    case 'message':
      return typeof x.token === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(x.token) && typeof x.badge === 'string';
    case 'fragment':
      return Number.isInteger(x.index) && Number.isInteger(x.count) && typeof x.complete === 'boolean';
    case 'handshake':
      return typeof x.label === 'string';
    case 'query':
      return (x.token === null || (typeof x.token === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(x.token))) && typeof x.fromSelf === 'boolean';
    case 'error':
      return typeof x.badge === 'string' && typeof x.label === 'string';
    default:
      return false;
  }
}
