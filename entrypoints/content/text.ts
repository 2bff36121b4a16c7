/** Reading text off page elements, and deciding cheaply whether it carries anything for Veil. */
import { findArmor, parseQuery } from '../../lib/armor';

/** An armor error finding this long is a damaged Veil message, not a stray "VL1" in prose. */
const MIN_DAMAGED_BLOCK = 24;

export function hasVeilText(text: string): boolean {
  if (text.indexOf('V') < 0 && text.indexOf('?') < 0) return false;
  for (const f of findArmor(text)) if (f.result.ok || f.end - f.start >= MIN_DAMAGED_BLOCK) return true;
  return parseQuery(text) !== null;
}

// Slate's zero-width span holds only a caret anchor; text the browser inserts there natively never
// reaches Slate's model (the site would send nothing), so it must not count as taken.
const SKIP_SELECTOR = '[contenteditable="false"], [data-slate-placeholder], [data-slate-zero-width], [aria-hidden="true"]';

/** Visible text of an editor: a textarea's value, or a contenteditable's text without placeholders. */
export function editorText(el: HTMLElement): string {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return el.value;
  let out = '';
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (parent && parent !== el && parent.closest(SKIP_SELECTOR) && el.contains(parent.closest(SKIP_SELECTOR))) continue;
    out += n.nodeValue ?? '';
  }
  return out;
}

/** Compares editor text to what was inserted: editors add fillers and turn spaces into NBSP. */
export function normalizeEditorText(s: string): string {
  return s.replace(/[\uFEFF\u200B]/g, '').replace(/[\s\u00A0]+/g, ' ').trim();
}
