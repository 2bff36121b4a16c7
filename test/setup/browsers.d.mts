export interface Requirement {
  /** In plain words, for the stop message ("Chromium"). */
  what: string;
  path: string;
  /** The Debian package that installs `path`. */
  package: string;
}
export type BrowserKind = 'chromium' | 'firefox';
export const BROWSERS: Record<BrowserKind, Requirement>;
export function requirementsFor(kinds: BrowserKind[]): Requirement[];
export function installCommand(packages: string[]): string;
export function ensureInstalled(opts: {
  requirements: Requirement[];
  /** Default: running as root. */
  install?: boolean;
  aptGet?: string;
  log?: (line: string) => void;
}): { ok: true; installed: string[] } | { ok: false; message: string };
export function main(argv: string[]): number;
