// Typed access to the extension's settings, so no other file spells a setting's name.
import * as vscode from 'vscode';
import type { ServerInitOptions } from '../lf-runtime/src/protocol.ts';

const SECTION = 'lfStudio';

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  get lfTimeoutMs(): number {
    return this.cfg.get<number>('lfTimeoutMs', 5000);
  }

  get runOnChange(): boolean {
    return this.cfg.get<boolean>('runOnChange', true);
  }

  /** What the language server reads at start; changing any of these restarts it. */
  serverOptions(): ServerInitOptions {
    return { lfTimeoutMs: this.lfTimeoutMs, runOnChange: this.runOnChange };
  }

  /** Settings whose change needs a server restart to take effect. */
  static readonly restartOn = [`${SECTION}.lfTimeoutMs`, `${SECTION}.runOnChange`];
}
