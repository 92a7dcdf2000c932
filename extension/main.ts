// Activation: build the context that owns everything, show activation failures to the user, then rethrow
// so VS Code records them too.
import * as vscode from 'vscode';
import { Ctx } from './ctx.ts';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  try {
    await ctx.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`LF Studio failed to start: ${message}`, 'Open Output').then((choice) => {
      if (choice === 'Open Output') ctx?.output.show();
    });
    throw err;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
