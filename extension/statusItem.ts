// The language status item beside "Python" in the status bar: runtime state, last figures, sandbox layers.
import * as vscode from 'vscode';
import type { RuntimeStatus } from '../lf-runtime/src/protocol.ts';

export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    // Beside Python files and lfstudio.json itself, where a project problem is fixed.
    this.item = vscode.languages.createLanguageStatusItem('lfStudio.status', [{ language: 'python' }, { pattern: '**/lfstudio.json' }]);
    this.item.name = 'LF Studio';
    this.item.text = 'LF Studio';
    this.item.command = { title: 'Dashboard', command: 'lfStudio.openDashboard' };
  }

  update(status: RuntimeStatus): void {
    this.item.text = status.text;
    this.item.busy = status.state === 'starting' || status.state === 'running';
    this.item.severity =
      status.state === 'error' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    const sandbox = status.isolation.length ? `\n\nSandbox: ${status.isolation.join('; ')}` : '';
    this.item.detail = `${status.detail}${sandbox}`;
    this.item.command = status.projectFile
      ? { title: 'Open lfstudio.json', command: 'vscode.open', arguments: [vscode.Uri.file(status.projectFile)] }
      : status.state === 'error'
        ? { title: 'Open Output', command: 'lfStudio.showOutput' }
        : { title: 'Dashboard', command: 'lfStudio.openDashboard' };
  }

  dispose(): void {
    this.item.dispose();
  }
}
