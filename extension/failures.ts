/**
 * How a failure reaches the user: once, in one notification that says what failed and offers the way on
 * (the output channel, or "Set API Key" for a missing or rejected key), and once in the log. Every command
 * runs through it (commands.ts), and so does anything the extension does on its own (restarting the server
 * after a settings change, opening a file from the dashboard). A cancelled generation is not a failure.
 */
import * as vscode from 'vscode';
import { LlmError } from '../lf-runtime/src/llm/llmErrors.ts';

const OPEN_OUTPUT = 'Open Output';
const SET_KEY = 'Set API Key';

/** A failure whose message already tells the user what to do: shown as it is, without "... failed:". */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
}

export function showFailure(output: vscode.LogOutputChannel, what: string, err: unknown): void {
  if (err instanceof LlmError && err.kind === 'cancelled') return;
  const message = err instanceof Error ? err.message : String(err);
  output.error(`${what} failed: ${message}`);
  if (err instanceof LlmError && (err.kind === 'auth' || err.kind === 'missing-key')) {
    // The notification's button is the fix, so the sentence naming the command is dropped there.
    void vscode.window.showErrorMessage(`LF Studio: ${message.replace(/ Set it with[^.]*\./, '')}`, SET_KEY).then((choice) => {
      if (choice === SET_KEY) void vscode.commands.executeCommand('lfStudio.setAnthropicApiKey');
    });
    return;
  }
  const text = err instanceof UserFacingError ? `LF Studio: ${message}` : `LF Studio: ${what} failed: ${message}`;
  void vscode.window.showErrorMessage(text, OPEN_OUTPUT).then((choice) => {
    if (choice === OPEN_OUTPUT) output.show();
  });
}
