/**
 * Guard for code sent to a browser page (evaluate, $eval, waitForFunction): the driver sends the
 * function's source text, so anything a compiler added around it (a helper defined in Node, an
 * import rewritten to a module-runner variable) does not exist in the page and throws there — the
 * demo once crashed with "__name is not defined" at Alice's first send. The harness refuses such
 * a function before it leaves, naming the caller, the helper and the fix.
 */

/**
 * Free identifiers that only compilers write: esbuild's runtime helpers (keepNames' `__name`,
 * lowered syntax), TypeScript's tslib helpers, and Vite/Vitest module-runner bindings.
 */
const HELPER =
  /(?<![\w$.])(__name|__vite_ssr_\w+|__vi_\w+|__(?:async|await|asyncGenerator|yieldStar|forAwait|publicField|privateGet|privateSet|privateAdd|privateMethod|privateIn|privateWrapper|accessCheck|spreadValues|spreadProps|objRest|restKey|defProp|defNormalProp|require|toESM|toCommonJS|export|reExport|template|using|callDispose|decorateClass|decorateElement|runInitializers|superGet|superSet|pow|knownSymbol|typeError|awaiter|generator|assign|rest|spreadArray|extends|decorate|values|read|importDefault|importStar|classPrivateFieldGet|classPrivateFieldSet))\b/;

export class PageCodeError extends Error {
  override name = 'PageCodeError';
}

/** The first stack frame outside the harness: who sent the page code. */
function caller(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const outside = frames.find((l) => l.startsWith('at ') && !/[/\\]e2e[/\\]harness[/\\]/.test(l) && !l.includes('node:'));
  return outside ? outside.slice(3) : 'an unknown caller';
}

/**
 * Returns `fn` unchanged when its source is self-contained; throws PageCodeError when it calls
 * a build helper the page does not have.
 */
/** The first build helper `source` uses, with its position; null when it uses none. */
export function findBuildHelper(source: string): { name: string; index: number } | null {
  const m = HELPER.exec(source);
  return m ? { name: m[1]!, index: m.index } : null;
}

export function checkPageCode<F extends (...args: never[]) => unknown>(fn: F): F {
  const source = Function.prototype.toString.call(fn);
  const helper = findBuildHelper(source);
  if (helper) {
    // keepNames wraps an inner function as __name(fn, "its name"): say which one.
    const inner = helper.name === '__name' ? /__name\([^]*?,\s*["']([^"']+)["']\)/.exec(source.slice(helper.index))?.[1] : undefined;
    throw new PageCodeError(
      `page code sent by ${caller()} calls ${helper.name}${inner ? ` (wrapping its inner function "${inner}")` : ''}, ` +
        'a helper the compiler added that does not exist in the page. Run TypeScript scripts with ' +
        '`node --import ./test/setup/run-ts.mjs` (as the npm scripts do), not tsx, and keep page code free of ' +
        `syntax that needs lowering. Source: ${source.slice(0, 160)}${source.length > 160 ? '…' : ''}`,
    );
  }
  return fn;
}

/** What the benches and site checks drive directly: a playwright or puppeteer page or frame. */
interface RawEvaluator {
  evaluate(fn: never, arg?: never): Promise<unknown>;
}

/** A raw driver page whose evaluate goes through the guard (for code outside the harness). */
export function guardedEvaluator(target: RawEvaluator): { evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> } {
  return {
    evaluate: async (fn, arg) => (await target.evaluate(checkPageCode(fn) as never, arg as never)) as never,
  };
}
