/** Marks on Veil's own page elements, so scanners and observers skip them. */
export const HOST_ATTR = 'data-veil-host';

export function isVeilNode(node: Node): boolean {
  const el = node instanceof Element ? node : node.parentElement;
  return el !== null && el.closest(`[${HOST_ATTR}]`) !== null;
}

/** A host element with a closed shadow root: page CSS cannot restyle what Veil draws. */
export function makeHost(kind: string): { host: HTMLElement; root: ShadowRoot } {
  const host = document.createElement('div');
  host.setAttribute(HOST_ATTR, kind);
  const root = host.attachShadow({ mode: 'closed' });
  return { host, root };
}

export function extensionOrigin(runtimeUrl: string): string {
  return runtimeUrl.endsWith('/') ? runtimeUrl.slice(0, -1) : runtimeUrl;
}
