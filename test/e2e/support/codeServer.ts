/**
 * Starts a private code-server (a real VS Code served to a browser) for one end-to-end test file: its own
 * loopback port, its own HOME/XDG/user-data/extensions dirs, the packaged extension installed, and a copy of
 * the example workspace so tests never modify the repository. stop() kills the whole process group, because
 * code-server leaves extension hosts and helpers running otherwise.
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerLauncherPath, repoRoot } from './paths.ts';
import { readLogTail } from './logs.ts';

export interface CodeServerOptions {
  /** The packaged extension to install (normally dist/lf-studio.vsix). */
  vsixPath: string;
  /** Folder copied into the scratch dir and opened as the workspace. */
  workspaceSource: string;
  /** How long to wait for /healthz, in milliseconds. */
  startTimeoutMs?: number;
  /** User settings added to (and overriding) the quiet defaults. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and so its extension hosts (e.g. a stand-in API key). */
  env?: Record<string, string>;
}

export interface CodeServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** URL that opens the workbench on the copied workspace. */
  workbenchUrl: string;
  /** The scratch copy of the workspace (safe to edit). */
  workspaceDir: string;
  scratchDir: string;
  /** code-server's user-data dir; VS Code writes its server and extension-host logs under logs/ there. */
  userDataDir: string;
  /** File that receives code-server's stdout and stderr. */
  serverLogPath: string;
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and deterministic: no AI features, walkthroughs or telemetry. */
const quietUserSettings = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
};

/** Asks the kernel for a free loopback port; code-server binds it right after, so races are unlikely. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the probe port'))));
    });
  });
}

/**
 * The environment code-server runs in: scratch HOME/XDG dirs, no link back to a surrounding VS Code, and no
 * Anthropic key or endpoint inherited from the developer's shell (a test must never reach the real API).
 */
function isolatedEnv(scratchDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Inside a VS Code terminal this would make code-server's CLI talk to that other VS Code instead.
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.VSCODE_IPC_HOOK;
  delete env.ANTHROPIC_API_KEY;
  delete env.ANTHROPIC_BASE_URL;
  Object.assign(env, extra);
  env.HOME = join(scratchDir, 'home');
  env.XDG_CONFIG_HOME = join(scratchDir, 'xdg-config');
  env.XDG_DATA_HOME = join(scratchDir, 'xdg-data');
  env.XDG_CACHE_HOME = join(scratchDir, 'xdg-cache');
  for (const key of ['HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME'] as const) {
    mkdirSync(env[key] as string, { recursive: true });
  }
  return env;
}

function runToCompletion(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${output}`));
      else resolve(output);
    });
  });
}

async function installExtension(launcher: string, vsixPath: string, dirs: { userData: string; extensions: string }, env: NodeJS.ProcessEnv): Promise<void> {
  const output = await runToCompletion(
    launcher,
    ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsixPath, '--force'],
    env,
  );
  // code-server exits 0 on some install failures, so check what it says too.
  if (!/successfully installed/i.test(output)) {
    throw new Error(`Installing ${vsixPath} into code-server did not report success:\n${output}`);
  }
}

async function waitUntilHealthy(url: string, child: ChildProcess, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `code ${code ?? 'none'}, signal ${signal ?? 'none'}`));
  for (;;) {
    if (exited !== null) {
      throw new Error(`code-server exited during startup (${exited}). Its log:\n${readLogTail(logPath, 40)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet: poll again below.
    }
    if (Date.now() > deadline) {
      throw new Error(`code-server was not healthy at ${url}/healthz within ${timeoutMs} ms. Its log:\n${readLogTail(logPath, 40)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills the process group led by `child` (TERM, then KILL if it lingers) and waits for the leader to exit. */
async function killProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  // Helpers (extension host, file watcher) may outlive the leader; make sure none of the group survives.
  signalGroup('SIGKILL');
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!existsSync(options.vsixPath)) {
    throw new Error(`The extension package ${options.vsixPath} does not exist. Build it first: npm run package`);
  }
  if (!existsSync(options.workspaceSource)) {
    throw new Error(`The example workspace ${options.workspaceSource} does not exist (it is part of the repository).`);
  }
  const launcher = codeServerLauncherPath();
  const scratchDir = mkdtempSync(join(tmpdir(), 'lf-studio-e2e-'));
  const workspaceDir = join(scratchDir, 'workspace');
  const userDataDir = join(scratchDir, 'user-data');
  const extensionsDir = join(scratchDir, 'extensions');
  const serverLogPath = join(scratchDir, 'code-server.log');
  cpSync(options.workspaceSource, workspaceDir, { recursive: true, filter: (src) => !src.includes('.lfstudio') });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietUserSettings, ...options.userSettings }, null, 2));

  const env = isolatedEnv(scratchDir, options.env);
  const configPath = join(scratchDir, 'config.yaml');
  await installExtension(launcher, options.vsixPath, { userData: userDataDir, extensions: extensionsDir }, env);

  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(configPath, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const log = createWriteStream(serverLogPath);
  // detached: the child calls setsid(), so it leads a new process group that stop() can kill as a whole.
  const child = spawn(
    launcher,
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '10',
      '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', configPath, workspaceDir,
    ],
    { cwd: scratchDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  // Safety net: if the test process exits without teardown (a crash, a forgotten stop()), the detached
  // code-server would otherwise keep running with its extension hosts.
  const killOnExit = (): void => {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await killProcessGroup(child);
    log.end();
  };
  try {
    await waitUntilHealthy(url, child, serverLogPath, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    workbenchUrl: `${url}/?folder=${encodeURIComponent(workspaceDir)}`,
    workspaceDir,
    scratchDir,
    userDataDir,
    serverLogPath,
    stop,
  };
}

/** Deletes a scratch dir after a passing run (failing runs keep theirs for inspection). */
export function removeScratch(server: CodeServer): void {
  rmSync(server.scratchDir, { recursive: true, force: true });
}

export { repoRoot };
