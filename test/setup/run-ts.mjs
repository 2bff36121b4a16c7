/**
 * Runs the project's TypeScript scripts (demo, bench, fuzz, chat site, vectors) in Node:
 *   node --import ./test/setup/run-ts.mjs <script>.ts
 *
 * Why not tsx: tsx compiles with esbuild's keepNames, which rewrites functions to call a
 * `__name(...)` helper that exists only in Node. A function handed to a browser page
 * (page.evaluate) then throws "__name is not defined" there. These hooks compile each file with
 * esbuild for the newest syntax (esnext) and without keepNames, so a function's source stays
 * what was written; test/e2e/harness/page-code.ts refuses page code that still carries a helper.
 */
import { register } from 'node:module';

// Stack traces point into the .ts sources (the hooks emit inline source maps).
process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
