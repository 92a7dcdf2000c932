/**
 * The extension's one home for settings: every `lfStudio.*` value is read here, through settings.ts (one
 * table, defaults and bounds from package.json, user-only settings taken from user settings only), so no
 * other file spells a setting's name. A value that was ignored is logged and shown once.
 */
import * as vscode from 'vscode';
import type { ServerInitOptions } from '../lf-runtime/src/protocol.ts';
import type { Thresholds } from '../lf-runtime/src/llm/types.ts';
import { llmEndpoint, readSettings, SECTION, SERVER_SETTINGS, serverOptions, type HostFacts, type Settings } from './settings.ts';

export interface LlmSettings {
  model: string;
  /** Where the key is sent; null for the SDK's default endpoint (see llmEndpoint). */
  baseUrl: string | null;
  candidates: number;
  thresholds: Pick<Thresholds, 'minDevAccuracy' | 'maxOverlap'>;
}

export class Config {
  private readonly reported = new Set<string>();

  constructor(private readonly output: vscode.LogOutputChannel) {}

  /** Every setting, checked; problems are reported the first time they are seen. */
  read(): Settings {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const { settings, problems } = readSettings((key) => cfg.inspect(key));
    for (const problem of problems) {
      if (this.reported.has(problem)) continue;
      this.reported.add(problem);
      this.output.warn(problem);
      void vscode.window.showWarningMessage(`LF Studio: ${problem}`);
    }
    return settings;
  }

  /** What the language server reads at start; changing any of these restarts it. */
  serverOptions(host?: HostFacts): ServerInitOptions {
    return serverOptions(this.read(), host);
  }

  /** Generation settings, with the endpoint decided for this workspace's trust. */
  llm(): LlmSettings {
    const s = this.read();
    return {
      model: s['llm.model'],
      baseUrl: llmEndpoint(s, process.env, vscode.workspace.isTrusted),
      candidates: s['llm.candidates'],
      thresholds: { minDevAccuracy: s['llm.minDevAccuracy'], maxOverlap: s['llm.maxOverlap'] },
    };
  }

  /** Whether a configuration change needs a server restart. */
  static affectsServer(e: vscode.ConfigurationChangeEvent): boolean {
    return SERVER_SETTINGS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`));
  }
}
