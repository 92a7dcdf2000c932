/**
 * Where the end-to-end tests find things: the repository, the packaged extension, the example workspace,
 * the code-server install made by scripts/install-code-server.sh, Chromium, and the results folder.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The packaged extension; LFSTUDIO_VSIX points the tests at another package (e.g. a release build). */
export const vsixPath = process.env.LFSTUDIO_VSIX ?? join(repoRoot, 'dist', 'lf-studio.vsix');
export const exampleWorkspace = join(repoRoot, 'examples', 'youtube-spam');
export const resultsDir = join(repoRoot, 'test-results');

/** Must match the default in scripts/install-code-server.sh. */
const defaultCodeServerVersion = '4.139.1';

/** The Node-24 launcher that scripts/install-code-server.sh writes beside its verified install. */
export function codeServerLauncherPath(): string {
  const fromEnv = process.env.LFSTUDIO_CODE_SERVER;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`LFSTUDIO_CODE_SERVER points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const tools = process.env.LFSTUDIO_TOOLS ?? join(homedir(), '.cache', 'lf-studio', 'tools');
  const version = process.env.CODE_SERVER_VERSION ?? defaultCodeServerVersion;
  const installDir = join(tools, `code-server-${version}`);
  const launcher = join(installDir, 'code-server');
  if (!existsSync(join(installDir, '.installed')) || !existsSync(launcher)) {
    throw new Error(
      `code-server ${version} is not installed in ${installDir}. Install the end-to-end tools first: bash scripts/ensure-e2e-tools.sh`,
    );
  }
  return launcher;
}

export function chromiumPath(): string {
  const candidates = [process.env.LFSTUDIO_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '' && existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium was not found at /usr/bin/chromium. Install it (apt-get install chromium) or set LFSTUDIO_CHROMIUM.');
}

export function resultPath(name: string): string {
  mkdirSync(resultsDir, { recursive: true });
  return join(resultsDir, name);
}
