import { execSync } from 'node:child_process';
import { ensureInstalled, requirementsFor } from '../setup/browsers.mjs';
import { browsersUnderTest } from './harness';
import { repoRoot } from './harness/paths';

/**
 * Before any E2E test: the browsers under test are installed (or the run stops with the command
 * to run), and the extension is built once for the whole run (skip with VEIL_SKIP_BUILD=1).
 */
export default function setup(): void {
  const browsers = ensureInstalled({ requirements: requirementsFor(browsersUnderTest()) });
  if (!browsers.ok) throw new Error(browsers.message);
  if (process.env.VEIL_SKIP_BUILD === '1') return;
  execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
}
