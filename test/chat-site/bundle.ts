// Builds the chat site's browser bundles with esbuild at server start. Output goes to a folder
// under os.tmpdir() named by a hash of every input, so repeated starts (and several servers in one
// test run) reuse one build, and nothing generated ever lands in the repository.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { REPLICA_PAGES } from './replicas.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const CLIENT_DIR = path.join(HERE, 'client');

export const EDITORS = ['textarea', 'contenteditable', 'lexical', 'slate', 'quill'] as const;
export type EditorKind = (typeof EDITORS)[number];

/** Bundle name (served as /assets/<name>.js) -> entry file. */
const ENTRIES: Record<string, string> = {
  ...Object.fromEntries(EDITORS.map((e) => [`chat-${e}`, path.join(CLIENT_DIR, 'entries', `chat-${e}.ts`)])),
  video: path.join(CLIENT_DIR, 'entries', 'video.ts'),
  hostile: path.join(CLIENT_DIR, 'hostile.ts'),
  ...Object.fromEntries(REPLICA_PAGES.map((p) => [`replica-${p}`, path.join(CLIENT_DIR, 'replica', `${p}.ts`)])),
};

export type Bundles = ReadonlyMap<string, Buffer>;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const ent of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out.sort();
}

/** Hash of the client sources, the shared modules they import, the lockfile and esbuild's version. */
async function inputsHash(): Promise<string> {
  const h = createHash('sha256');
  h.update(esbuild.version);
  const files = [
    ...(await listFiles(CLIENT_DIR)),
    path.join(HERE, 'protocol.ts'),
    path.join(HERE, 'render.ts'),
    path.join(HERE, 'replicas.ts'),
    path.join(REPO, 'package-lock.json'),
  ];
  for (const f of files) {
    h.update(f);
    h.update(await fs.readFile(f).catch(() => Buffer.alloc(0)));
  }
  return h.digest('hex').slice(0, 24);
}

async function readCache(dir: string): Promise<Map<string, Buffer> | null> {
  try {
    const out = new Map<string, Buffer>();
    for (const name of Object.keys(ENTRIES)) out.set(name, await fs.readFile(path.join(dir, `${name}.js`)));
    return out;
  } catch {
    return null;
  }
}

async function build(): Promise<Map<string, Buffer>> {
  const result = await esbuild.build({
    entryPoints: ENTRIES,
    bundle: true,
    write: false,
    outdir: '/virtual-out',
    format: 'iife',
    platform: 'browser',
    target: ['chrome120', 'firefox120'],
    minify: false,
    sourcemap: false,
    absWorkingDir: REPO,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    legalComments: 'none',
  });
  const out = new Map<string, Buffer>();
  for (const f of result.outputFiles) {
    if (f.path.endsWith('.js')) out.set(path.basename(f.path, '.js'), Buffer.from(f.contents));
  }
  return out;
}

let memo: Promise<Bundles> | null = null;

/** Returns all bundles, building them once per process and once per input hash on disk. */
export function getBundles(): Promise<Bundles> {
  memo ??= (async () => {
    const dir = path.join(os.tmpdir(), 'veil-chat-site-bundles', await inputsHash());
    const cached = await readCache(dir);
    if (cached) return cached;
    const built = await build();
    // Write to a private temp folder, then rename: concurrent builders never see half a cache.
    await fs.mkdir(path.dirname(dir), { recursive: true });
    const tmp = await fs.mkdtemp(`${dir}.tmp-`);
    for (const [name, buf] of built) await fs.writeFile(path.join(tmp, `${name}.js`), buf);
    await fs.rename(tmp, dir).catch(async () => fs.rm(tmp, { recursive: true, force: true }));
    return built;
  })();
  memo.catch(() => {
    memo = null;
  });
  return memo;
}
