/**
 * The page as Veil sees it: one adapter over either a site profile's selectors or the generic
 * heuristics. Everything read here comes from an untrusted page and is cleaned and bounded.
 */
import { GENERIC_LIMITS, type ArmorAlphabet, type DomText, type EditorKind, type SiteProfile } from '../../lib/sites/profiles';
import {
  cleanConversationId,
  cleanHandle,
  conversationFromUrlRule,
  genericConversationId,
  profileForUrl,
  resolveEditorKind,
} from '../../lib/sites/profile-match';
import { hasVeilText } from './text';
import { isVeilNode } from './dom';

export interface PageAdapter {
  profile: SiteProfile | null;
  /** The profile's hints did not match: generic heuristics are in use. */
  fallback: boolean;
  maxChars: number;
  alphabet: ArmorAlphabet;
  editor(): HTMLElement | null;
  editorKind(el: HTMLElement): EditorKind;
  sendButton(): HTMLElement | null;
  /** Root to observe for new messages. */
  listRoot(): Element | null;
  /** Message elements at or around the changed nodes (bounded). */
  messagesAround(nodes: Iterable<Node>, limit: number): Element[];
  bodyOf(message: Element): Element;
  authorOf(message: Element): string;
  selfHandle(): string | null;
  peerHandle(): string | null;
  conversationId(): string;
}

export const PEER_UNKNOWN = 'peer';

function readDomText(root: ParentNode, spec: DomText | null): string | null {
  if (!spec) return null;
  const el = spec.selector === ':scope' ? (root as Element) : root.querySelector(spec.selector);
  if (!el || !(el instanceof Element)) return null;
  const raw = spec.attribute ? el.getAttribute(spec.attribute) : el.textContent;
  return cleanHandle(raw, spec.extract);
}

function query(selector: string): HTMLElement | null {
  try {
    return document.querySelector<HTMLElement>(selector);
  } catch {
    return null;
  }
}

function isVisible(el: HTMLElement): boolean {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}

function markersOf(el: HTMLElement) {
  const attributes: Record<string, string> = {};
  for (const a of ['data-lexical-editor', 'data-slate-editor', 'contenteditable']) {
    const v = el.getAttribute(a);
    if (v !== null) attributes[a] = v;
  }
  return { tagName: el.tagName, attributes, classes: [...el.classList] };
}

const EDITABLE = 'textarea, [contenteditable="true"], [contenteditable=""], [contenteditable="plaintext-only"]';

/** Generic editor: the focused editable, else the largest visible one (not Veil's own). */
export function genericEditor(): HTMLElement | null {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active.matches(EDITABLE) && !isVeilNode(active)) return active;
  let best: HTMLElement | null = null;
  let bestArea = 0;
  for (const el of document.querySelectorAll<HTMLElement>(EDITABLE)) {
    if (isVeilNode(el) || el.parentElement?.closest('[contenteditable="true"]')) continue;
    const r = el.getBoundingClientRect();
    const area = r.width * r.height;
    if (area > bestArea) {
      best = el;
      bestArea = area;
    }
  }
  return best;
}

const BLOCKISH = 'p, div, li, td, article, section, blockquote, pre';
const MAX_GENERIC_CANDIDATES = 4000;

function insideEditor(el: Element): boolean {
  return el.closest('textarea, [contenteditable="true"], [contenteditable=""]') !== null;
}

/**
 * Generic messages: the deepest elements whose text holds a Veil block or query line, so that a
 * block split across inline elements (links, chunk spans) is still read whole.
 */
function genericMessagesIn(root: Element, out: Set<Element>, limit: number): void {
  if (out.size >= limit || isVeilNode(root) || insideEditor(root)) return;
  if (!hasVeilText(root.textContent ?? '')) return;
  const hits: Element[] = [];
  const all = root.querySelectorAll(BLOCKISH);
  for (let i = 0; i < all.length && i < MAX_GENERIC_CANDIDATES; i++) {
    const el = all[i] as Element;
    if (isVeilNode(el) || insideEditor(el)) continue;
    if (hasVeilText(el.textContent ?? '')) hits.push(el);
  }
  const deepest = hits.filter((el) => !hits.some((other) => other !== el && el.contains(other)));
  for (const el of deepest.length > 0 ? deepest : [root]) {
    if (out.size >= limit) return;
    out.add(el);
  }
}

function profileAdapter(profile: SiteProfile): PageAdapter {
  const inList = (el: Element): Element | null => {
    const m = el.closest(profile.message);
    return m && !isVeilNode(m) ? m : null;
  };
  return {
    profile,
    fallback: false,
    maxChars: profile.maxChars,
    alphabet: profile.alphabet,
    editor: () => query(profile.editor.selector),
    editorKind: (el) => resolveEditorKind(profile.editor.kind, markersOf(el)),
    sendButton: () => (profile.sendButton ? query(profile.sendButton) : null),
    listRoot: () => query(profile.messageList),
    messagesAround(nodes, limit) {
      const out = new Set<Element>();
      for (const n of nodes) {
        if (out.size >= limit) break;
        const el = n instanceof Element ? n : n.parentElement;
        if (!el || isVeilNode(el)) continue;
        const own = inList(el);
        if (own) out.add(own);
        for (const m of el.querySelectorAll(profile.message)) {
          if (out.size >= limit) break;
          if (!isVeilNode(m)) out.add(m);
        }
      }
      return [...out];
    },
    bodyOf: (m) => m.querySelector(profile.messageBody) ?? m,
    authorOf: (m) => readDomText(m, profile.author) ?? PEER_UNKNOWN,
    selfHandle: () => readDomText(document, profile.selfHandle),
    peerHandle: () => readDomText(document, profile.peerHandle),
    conversationId() {
      for (const rule of profile.conversation) {
        if (rule.from === 'url') {
          const id = conversationFromUrlRule(rule, location.href);
          if (id) return id;
          continue;
        }
        const value = readDomText(document, rule);
        const id = value === null ? null : cleanConversationId((rule.prefix ?? '') + value);
        if (id) return id;
      }
      return genericConversationId(location.href);
    },
  };
}

export function genericAdapter(profile: SiteProfile | null, fallback: boolean): PageAdapter {
  return {
    profile,
    fallback,
    maxChars: profile?.maxChars ?? GENERIC_LIMITS.maxChars,
    alphabet: profile?.alphabet ?? GENERIC_LIMITS.alphabet,
    editor: genericEditor,
    editorKind: (el) => resolveEditorKind('auto', markersOf(el)),
    sendButton: () => null,
    listRoot: () => document.body,
    messagesAround(nodes, limit) {
      const out = new Set<Element>();
      for (const n of nodes) {
        const el = n instanceof Element ? n : n.parentElement;
        if (el) genericMessagesIn(el.closest(BLOCKISH) ?? el, out, limit);
      }
      return [...out];
    },
    bodyOf: (m) => m,
    authorOf: () => PEER_UNKNOWN,
    selfHandle: () => null,
    peerHandle: () => null,
    conversationId: () => genericConversationId(location.href),
  };
}

/**
 * Picks the profile for this URL and waits (up to waitMs) for its editor and message list;
 * when they do not show up, falls back to generic mode and says so.
 */
export async function resolveAdapter(waitMs: number): Promise<PageAdapter> {
  const profile = profileForUrl(location.href);
  if (!profile) return genericAdapter(null, false);
  const adapter = profileAdapter(profile);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const editor = adapter.editor();
    if (editor && adapter.listRoot() && isVisible(editor)) return adapter;
    if (Date.now() > deadline) return genericAdapter(profile, true);
    await new Promise((r) => setTimeout(r, 200));
  }
}
