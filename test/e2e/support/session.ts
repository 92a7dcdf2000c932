/**
 * One end-to-end session: a private code-server with the packaged extension, the example workspace
 * copied to a scratch dir, and a headless Chromium showing the workbench. Steps run through `step()`
 * so that any failure leaves a screenshot and the logs in test-results/ and says what the logs said.
 */
import { startCodeServer, removeScratch } from './codeServer.ts';
import type { CodeServer } from './codeServer.ts';
import { clearFailureEvidence, saveLogs } from './logs.ts';
import { exampleWorkspace, vsixPath } from './paths.ts';
import { Workbench } from './workbench.ts';

export interface E2eSession {
  server: CodeServer;
  workbench: Workbench;
  /** Set when a step failed, so the scratch dir is kept for inspection. */
  failed: boolean;
}

export interface SessionOptions {
  workspaceSource?: string;
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and its extension hosts. */
  env?: Record<string, string>;
}

export async function startSession(options: SessionOptions = {}): Promise<E2eSession> {
  clearFailureEvidence();
  const server = await startCodeServer({
    vsixPath,
    workspaceSource: options.workspaceSource ?? exampleWorkspace,
    userSettings: options.userSettings,
    env: options.env,
  });
  try {
    const workbench = await Workbench.open(server.workbenchUrl);
    return { server, workbench, failed: false };
  } catch (error) {
    const logs = saveLogs('startup', server.serverLogPath, server.userDataDir);
    await server.stop();
    throw new Error(`The workbench did not load: ${describe(error)}\nLogs saved in ${logs.dir}\n${logs.excerpt}`, { cause: error });
  }
}

export async function stopSession(session: E2eSession | undefined): Promise<void> {
  if (session === undefined) return;
  await session.workbench.close();
  await session.server.stop();
  if (!session.failed) removeScratch(session.server);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `action`; on failure saves `<label>-failure.png` and `<label>-logs/` under test-results/ and
 * rethrows with the relevant log lines and browser errors in the message.
 */
export async function step<T>(session: E2eSession, label: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    session.failed = true;
    const screenshot = await session.workbench.screenshot(`${label}-failure.png`).catch((e: unknown) => `(screenshot failed: ${describe(e)})`);
    const logs = saveLogs(label, session.server.serverLogPath, session.server.userDataDir);
    const browserErrors = session.workbench.consoleErrors.slice(-10).join('\n') || '(none)';
    throw new Error(
      [
        `${label}: ${describe(error)}`,
        `Screenshot: ${screenshot}`,
        `Logs: ${logs.dir} (scratch dir kept: ${session.server.scratchDir})`,
        logs.excerpt,
        '--- browser errors ---',
        browserErrors,
      ].join('\n'),
      { cause: error },
    );
  }
}
