/**
 * Puts ciphertext into the site's own editor and triggers the site's own send, one text after
 * another, waiting for the editor to clear in between. Editors that keep their own model
 * (Lexical, Slate, Quill) take execCommand('insertText'); when one does not pick it up, a
 * synthetic paste and then a beforeinput event are tried.
 */
import type { EditorKind } from '../../lib/sites/profiles';
import * as v from 'valibot';
import { messages, type BodyOf, type VeilErrorCode } from '../../lib/messaging';
import type { PostOutcome } from '../../lib/messaging/delivery';
import { sleep } from './bg';
import type { PageAdapter } from './site';
import { editorText, hasVeilText, normalizeEditorText } from './text';
import type { FocusGuard } from './focus-guard';

const SETTLE_MS = 1500;
const CLEAR_MS = 8000;
const POLL_MS = 40;

export type PostRequest = BodyOf<'tab:post'>;

/** The background is trusted, but its message still crosses a boundary: check the shape (the table's schema). */
export function parsePostRequest(data: unknown): PostRequest | null {
  const r = v.safeParse(messages['tab:post'].body, data);
  return r.success ? r.output : null;
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

function setTextareaValue(el: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  // The native setter, so frameworks that track the last value (React) see a real change.
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, text);
  else el.value = text;
  el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
}

async function selectAllIn(el: HTMLElement): Promise<void> {
  el.focus();
  const sel = document.getSelection();
  if (sel) {
    const range = document.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.execCommand('selectAll', false);
  // Lexical and Slate adopt the DOM selection on selectionchange, which fires in a later task.
  await sleep(0);
}

function matches(adapter: PageAdapter, text: string): boolean {
  const el = adapter.editor();
  return el !== null && normalizeEditorText(editorText(el)) === normalizeEditorText(text);
}

type Attempt = (el: HTMLElement, text: string) => void;

const viaExecCommand: Attempt = (_el, text) => {
  document.execCommand('insertText', false, text);
};

const viaPaste: Attempt = (el, text) => {
  const dt = new DataTransfer();
  dt.setData('text/plain', text);
  el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
};

const viaBeforeInput: Attempt = (el, text) => {
  el.dispatchEvent(new InputEvent('beforeinput', { inputType: 'insertText', data: text, bubbles: true, cancelable: true }));
};

/** Replaces the editor's content with text; true once the editor shows exactly that text. */
export async function insertText(adapter: PageAdapter, { kind, text, guard }: { kind: EditorKind; text: string; guard?: FocusGuard | undefined }): Promise<boolean> {
  const first = adapter.editor();
  if (!first) return false;
  if (kind === 'textarea' && (first instanceof HTMLTextAreaElement || first instanceof HTMLInputElement)) {
    // A textarea takes its value without focus.
    setTextareaValue(first, text);
    return waitFor(() => matches(adapter, text), SETTLE_MS);
  }
  for (const attempt of [viaExecCommand, viaPaste, viaBeforeInput]) {
    const el = adapter.editor();
    if (!el) return false;
    guard?.borrow();
    await selectAllIn(el);
    attempt(el, text);
    // Focus returns at once: the editor held it only for the insertion itself.
    guard?.giveBack();
    if (await waitFor(() => matches(adapter, text), SETTLE_MS)) return true;
  }
  return false;
}

function pressEnter(el: HTMLElement): void {
  const init = { key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true, cancelable: true, composed: true };
  el.dispatchEvent(new KeyboardEvent('keydown', init));
  el.dispatchEvent(new KeyboardEvent('keypress', init));
  el.dispatchEvent(new KeyboardEvent('keyup', init));
}

function isEmpty(adapter: PageAdapter): boolean {
  const el = adapter.editor();
  return el !== null && normalizeEditorText(editorText(el)) === '';
}

/**
 * Posts texts in order; stops at the first that could not be inserted or was not sent. Posting
 * focuses the site's editor; if the user was typing in Veil's compose frame, the guard gives
 * focus straight back after each insertion and whenever the site re-focuses its editor later.
 */
export async function postTexts(adapter: PageAdapter, req: PostRequest, guard?: FocusGuard): Promise<PostOutcome> {
  guard?.arm();
  let posted = 0;
  const stop = (code: VeilErrorCode, message: string): PostOutcome => ({ posted, error: { code, message } });
  for (const text of req.texts) {
    if (text.length > adapter.maxChars) return stop('too-long', `text ${posted + 1} is ${text.length} characters; this site takes ${adapter.maxChars}`);
    const el = adapter.editor();
    if (!el) return stop('not-found', "the site's message input was not found");
    // Text the user typed into the site's own box (not Veil's armor from a refused send) would be
    // overwritten: it is theirs, so Veil stops and says why.
    const draft = normalizeEditorText(editorText(el));
    if (draft !== '' && !hasVeilText(draft)) return stop('blocked', "the site's message box holds text typed there; send or clear it first");
    if (!(await insertText(adapter, { kind: adapter.editorKind(el), text, guard }))) return stop('internal', "the site's editor did not take the text");
    const button = adapter.sendButton();
    if (button && !(button as HTMLButtonElement).disabled) button.click();
    else pressEnter(adapter.editor() ?? el);
    if (!(await waitFor(() => isEmpty(adapter), CLEAR_MS))) return stop('internal', 'the site did not send');
    posted++;
  }
  return { posted, error: null };
}
