/**
 * The few page operations the E2E tests need, over Playwright (Chromium) and Puppeteer (Firefox
 * over WebDriver BiDi), so one test body runs in both browsers.
 */
import { checkPageCode } from './page-code';

/** A frame inside a page (Veil's extension-origin frames among them). */
export interface DrivenFrame {
  /** The frame's own location.href (asked from inside: driver-reported URLs can be stale). */
  href(): Promise<string>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  click(selector: string): Promise<void>;
  /** Real key presses into an element of the frame. */
  type(selector: string, text: string): Promise<void>;
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  /** Vertical position of the frame element in the top page (for ordering message frames). */
  top(): Promise<number>;
}

export interface DrivenPage {
  /** Every child frame currently attached. */
  frames(): Promise<DrivenFrame[]>;
  /** Reloads are sometimes needed per test: bring the tab to the front (Firefox keyboard focus). */
  bringToFront(): Promise<void>;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  click(selector: string): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  press(key: string): Promise<void>;
  /** Real key presses into whatever has focus now (no click first, as a person keeps typing). */
  typeKeys(text: string): Promise<void>;
  text(selector: string): Promise<string>;
  /** PNG of the viewport, or of the whole page (its full width and height) with `fullPage`. */
  screenshot(path: string, opts?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Poll a condition evaluated in the page until it is truthy (or time out with the last value). */
export async function waitUntil<R>(
  page: DrivenPage,
  fn: () => R | Promise<R>,
  { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {},
): Promise<R> {
  checkPageCode(fn); // before the loop, whose catch would turn a refusal into a timeout
  const deadline = Date.now() + timeoutMs;
  let last: R | undefined;
  for (;;) {
    last = await page.evaluate(fn).catch(() => undefined as R | undefined);
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Bounds a driver step: a browser that stops answering fails the step with its name after
 * `ms` instead of hanging until the test's hook timeout (which names nothing).
 */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
