// A tiny element builder for the replica pages (they build their whole DOM, like the real apps).
export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
/** Custom elements the real sites use (Google's c-wiz). */
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** An element holding a message's rendered HTML (the chat site's markdown rendering). */
export function htmlBody<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs, html: string): HTMLElementTagNameMap[K] {
  const el = h(tag, attrs);
  el.innerHTML = html;
  return el;
}

export function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** A stable positive number for a name (ids that look like the real sites' numeric ids). */
export function numericId(name: string, digits = 12): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const ch of name) {
    a = Math.imul(a ^ ch.charCodeAt(0), 16777619) >>> 0;
    b = Math.imul(b + ch.charCodeAt(0), 2246822519) >>> 0;
  }
  return (String(a) + String(b)).replace(/^0+/, '1').padEnd(digits, '7').slice(0, digits);
}
