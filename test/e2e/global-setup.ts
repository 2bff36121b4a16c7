import { execSync } from 'node:child_process';
import { repoRoot } from './harness/paths';

/** Build the extension once for the whole E2E run (skip with VEIL_SKIP_BUILD=1). */
export default function setup(): void {
  if (process.env.VEIL_SKIP_BUILD === '1') return;
  execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
}
