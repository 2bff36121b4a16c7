/**
 * Module hooks for run-ts.mjs: resolve TypeScript-style specifiers ("./x" → "./x.ts",
 * "./dir" → "./dir/index.ts", "./x.js" → "./x.ts") and compile .ts/.tsx files with esbuild.
 * The options are the point: esnext (nothing lowered, so no helper functions) and no keepNames
 * (no `__name` calls), so source that is sent to a browser page runs there as written.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TS = /\.(?:ts|tsx|mts)$/;

/** esbuild options for one file; exported so a unit test can check them against the page guard. */
export function compileOptions(path) {
  return {
    loader: path.endsWith('.tsx') ? 'tsx' : 'ts',
    format: 'esm',
    target: 'esnext',
    keepNames: false,
    sourcemap: 'inline',
    sourcefile: path,
    tsconfigRaw: { compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'preact', useDefineForClassFields: true } },
  };
}

const CANDIDATES = (specifier) =>
  specifier.endsWith('.js') ? [specifier.slice(0, -3) + '.ts', specifier.slice(0, -3) + '.tsx'] : [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`];

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const relative = /^(?:\.{1,2}\/|\/|file:)/.test(specifier);
    const fromTs = context.parentURL !== undefined && TS.test(new URL(context.parentURL).pathname);
    if (!relative || !fromTs || (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw err;
    for (const candidate of CANDIDATES(specifier)) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw err;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname)) return next(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), compileOptions(path));
  return { format: 'module', source: code, shortCircuit: true };
}
