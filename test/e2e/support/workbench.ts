/**
 * Drives the VS Code workbench that code-server serves, in headless Chromium through playwright-core.
 * Every wait is on a DOM condition (never a fixed sleep); the few retries exist because the workbench
 * sometimes swallows the first key press while it is still wiring up quick input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, resultPath } from './paths.ts';

const chromiumFlags = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

const quickInput = '.quick-input-widget';
const quickInputRows = '.quick-input-widget .quick-input-list .monaco-list-row';

export interface WaitOptions {
  timeoutMs?: number;
}

/** Escapes a string for use inside a CSS attribute selector value in double quotes. */
function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

export class Workbench {
  /** Recent browser console errors and page errors, for failure messages. */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.remember(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.remember(`page error: ${error.message}`));
  }

  /** Starts Chromium with a fresh profile and loads the workbench at `url`, waiting until it is usable. */
  static async open(url: string, options: WaitOptions = {}): Promise<Workbench> {
    const profileDir = mkdtempSync(join(tmpdir(), 'lf-studio-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1400, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const workbench = new Workbench(page, context, profileDir);
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs ?? 60_000 });
      await workbench.waitForReady(options);
    } catch (error) {
      await workbench.close();
      throw error;
    }
    return workbench;
  }

  private remember(line: string): void {
    this.consoleErrors.push(line);
    if (this.consoleErrors.length > 50) this.consoleErrors.shift();
  }

  /** The workbench is usable once its status bar is drawn and the explorer lists the workspace folder. */
  async waitForReady(options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 60_000;
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
  }

  /** Opens a workspace file through quick open (Ctrl+P), clicking the row for it, and waits for its editor. */
  async openFile(fileName: string, options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 30_000;
    const row = this.page.locator(`${quickInputRows}[aria-label*="${cssString(fileName)}"]`).first();
    await this.withQuickInput('Control+P', fileName, row, timeout);
    // Clicking the row is reliable; pressing Enter raced with the result list being replaced.
    await row.click();
    const tab = this.page.locator(`.tabs-container .tab.active[aria-label*="${cssString(fileName)}"]`);
    await tab.waitFor({ state: 'visible', timeout });
    await this.activeEditor().locator('.view-lines .view-line').first().waitFor({ state: 'visible', timeout });
  }

  /**
   * Runs a command by its palette title (e.g. "LF Studio: Open Dashboard"), reopening the palette on misses.
   * With `opensQuickPick`, the command shows a quick pick of its own (the same widget), so instead of waiting
   * for quick input to close this waits for a quick input whose title contains that text.
   */
  async runCommand(title: string, options: WaitOptions & { attempts?: number; opensQuickPick?: string } = {}): Promise<void> {
    const row = this.page.locator(`${quickInputRows}[aria-label*="${cssString(title)}"]`).first();
    await this.withQuickInput('Control+Shift+P', title, row, options.timeoutMs ?? 10_000, options.attempts ?? 4);
    await row.click();
    if (options.opensQuickPick === undefined) {
      await this.page.locator(quickInput).waitFor({ state: 'hidden', timeout: 10_000 });
    } else {
      await this.quickInputTitled(options.opensQuickPick).waitFor({ state: 'visible', timeout: options.timeoutMs ?? 10_000 });
    }
  }

  /** Picks a colour theme as a user would: "Preferences: Color Theme", then the theme by its label. */
  async selectColorTheme(label: string, options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 10_000;
    const command = this.page.locator(`${quickInputRows}[aria-label*="${cssString('Preferences: Color Theme')}"]`).first();
    await this.withQuickInput('Control+Shift+P', 'Preferences: Color Theme', command, timeout);
    await command.click();
    // The picker opens with its own (long) list: filter it to the theme, then pick it.
    const input = this.page.locator(`${quickInput} .quick-input-box input`);
    await this.page.locator(`${quickInputRows}[aria-label*="${cssString('Dark')}"]`).first().waitFor({ state: 'visible', timeout });
    await input.fill(label);
    const theme = this.page.locator(`${quickInputRows}[aria-label*="${cssString(label)}"]`).first();
    await theme.waitFor({ state: 'visible', timeout });
    await theme.click();
    await this.page.locator(quickInput).waitFor({ state: 'hidden', timeout });
  }

  private quickInputTitled(title: string): ReturnType<Page['locator']> {
    return this.page.locator(`${quickInput} .quick-input-title`).filter({ hasText: title });
  }

  /**
   * Answers the open quick pick titled `title` (a command's question) by clicking the item whose label
   * contains `itemLabel`, and waits until that question is gone.
   */
  async pickQuickInputItem(title: string, itemLabel: string, options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 10_000;
    await this.quickInputTitled(title).waitFor({ state: 'visible', timeout });
    const row = this.page.locator(`${quickInputRows}[aria-label*="${cssString(itemLabel)}"]`).first();
    await row.waitFor({ state: 'visible', timeout }).catch(async (error: unknown) => {
      const shown = await this.page.locator(quickInputRows).allTextContents().catch(() => []);
      throw new Error(`The quick pick "${title}" does not offer "${itemLabel}". Rows shown: ${JSON.stringify(shown)}. ${String(error)}`);
    });
    await row.click();
    await this.quickInputTitled(title).waitFor({ state: 'hidden', timeout });
  }

  /**
   * Makes the editor tab for `fileName` the active one (clicking it also activates its editor group), e.g.
   * after a command revealed the file in another group without focusing it.
   */
  async activateTab(fileName: string, options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 10_000;
    const tab = this.page.locator(`.tabs-container .tab[aria-label*="${cssString(fileName)}"]`).first();
    await tab.click({ timeout });
    await this.page.locator(`.editor-group-container.active .tabs-container .tab.active[aria-label*="${cssString(fileName)}"]`)
      .waitFor({ state: 'visible', timeout });
    await this.activeEditor().locator('.view-lines .view-line').first().waitFor({ state: 'visible', timeout });
  }

  /** Whether the active editor's tab shows unsaved changes. */
  async activeTabIsDirty(): Promise<boolean> {
    return (await this.page.locator('.editor-group-container.active .tabs-container .tab.active.dirty').count()) > 0;
  }

  /**
   * Opens quick input with `shortcut`, types `query` and waits for `row`. The palette sometimes opens
   * before it accepts input or shows stale results; closing and reopening it is the fix that works.
   */
  private async withQuickInput(shortcut: string, query: string, row: ReturnType<Page['locator']>, timeout: number, attempts = 3): Promise<void> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.page.keyboard.press(shortcut);
        const input = this.page.locator(`${quickInput} .quick-input-box input`);
        await input.waitFor({ state: 'visible', timeout: 5000 });
        // Keep the ">" prefix that Ctrl+Shift+P puts there; replace whatever follows.
        const prefix = shortcut === 'Control+Shift+P' ? '>' : '';
        await input.fill(`${prefix}${query}`);
        await row.waitFor({ state: 'visible', timeout });
        return;
      } catch (error) {
        lastError = error;
        await this.page.keyboard.press('Escape');
      }
    }
    const shown = await this.page.locator(quickInputRows).allTextContents().catch(() => []);
    throw new Error(
      `Quick input never offered "${query}" after ${attempts} attempts (${shortcut}). Rows shown: ${JSON.stringify(shown)}. Last error: ${String(lastError)}`,
    );
  }

  private activeEditor(): ReturnType<Page['locator']> {
    return this.page.locator('.part.editor .editor-group-container.active .monaco-editor').first();
  }

  /** Text of the active editor's rendered lines (only what is on screen), with Monaco's nbsp undone. */
  async visibleEditorLines(): Promise<string[]> {
    const texts = await this.activeEditor().locator('.view-lines .view-line').allTextContents();
    return texts.map((text) => text.replace(/\u00a0/g, ' '));
  }

  /** Texts of all CodeLenses currently rendered in the active editor. */
  async codeLensTexts(): Promise<string[]> {
    const texts = await this.activeEditor().locator('.codelens-decoration').allTextContents();
    return texts.map((text) => text.replace(/\u00a0/g, ' ').trim());
  }

  /**
   * Waits until the CodeLens nearest above the editor line containing `lineText` matches `pattern`, and
   * returns its text. Positions come from the rendered DOM, so the line must be on screen.
   */
  async waitForCodeLensAbove(lineText: string, pattern: RegExp, options: WaitOptions = {}): Promise<string> {
    const timeout = options.timeoutMs ?? 60_000;
    const editor = await this.activeEditor().elementHandle({ timeout });
    if (editor === null) throw new Error('No active editor to read CodeLenses from.');
    try {
      const handle = await this.page.waitForFunction(
        // Runs in the page: no named inner functions, because the test transpiler would wrap them in a
        // helper (__name) that does not exist there.
        ({ root, lineText, source, flags }) => {
          const line = [...root.querySelectorAll('.view-lines .view-line')].find((el) =>
            (el.textContent ?? '').replace(/\u00a0/g, ' ').includes(lineText),
          );
          if (line === undefined) return false;
          const lineTop = line.getBoundingClientRect().top;
          const lineHeight = line.getBoundingClientRect().height || 18;
          let best: { text: string; top: number } | null = null;
          for (const lens of root.querySelectorAll('.codelens-decoration')) {
            const top = lens.getBoundingClientRect().top;
            // The lens sits above the LF's decorator or def: at most a few lines up.
            if (top < lineTop && lineTop - top <= lineHeight * 4 && (best === null || top > best.top)) {
              best = { text: (lens.textContent ?? '').replace(/\u00a0/g, ' ').trim(), top };
            }
          }
          return best !== null && new RegExp(source, flags).test(best.text) ? best.text : false;
        },
        { root: editor, lineText, source: pattern.source, flags: pattern.flags },
        { timeout, polling: 100 },
      );
      return (await handle.jsonValue()) as string;
    } catch (error) {
      const lenses = await this.codeLensTexts().catch(() => []);
      throw new Error(
        `No CodeLens matching ${pattern} above the line "${lineText}" within ${timeout} ms. Lenses shown: ${JSON.stringify(lenses)}. ${String(error)}`,
      );
    } finally {
      await editor.dispose();
    }
  }

  /**
   * Clicks the CodeLens part (one lens of the line, e.g. "coverage 20.0%") matching `part` in the lens line
   * nearest above the editor line containing `lineText`.
   */
  async clickCodeLensAbove(lineText: string, part: RegExp, options: WaitOptions = {}): Promise<void> {
    const timeout = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeout;
    let lastError: unknown = null;
    // The editor re-renders its lenses whenever the server refreshes them, which can drop the mark between
    // marking and clicking: mark and click again until a click lands or the time is up.
    while (Date.now() < deadline) {
      const editor = await this.activeEditor().elementHandle({ timeout: Math.max(1000, deadline - Date.now()) });
      if (editor === null) throw new Error('No active editor to click a CodeLens in.');
      try {
        const marked = await this.page.evaluate(
          ({ root, lineText }) => {
            for (const el of root.querySelectorAll('[data-e2e-lens]')) el.removeAttribute('data-e2e-lens');
            const line = [...root.querySelectorAll('.view-lines .view-line')].find((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ').includes(lineText));
            if (line === undefined) return false;
            const lineTop = line.getBoundingClientRect().top;
            const lineHeight = line.getBoundingClientRect().height || 18;
            let best: { el: (typeof root.children)[number]; top: number } | null = null;
            for (const lens of root.querySelectorAll('.codelens-decoration')) {
              const top = lens.getBoundingClientRect().top;
              if (top < lineTop && lineTop - top <= lineHeight * 4 && (best === null || top > best.top)) best = { el: lens, top };
            }
            if (best === null) return false;
            best.el.setAttribute('data-e2e-lens', '1');
            return true;
          },
          { root: editor, lineText },
        );
        if (marked) {
          await this.activeEditor().locator('[data-e2e-lens] a').filter({ hasText: part }).first().click({ timeout: 2000 });
          return;
        }
      } catch (error) {
        lastError = error;
      } finally {
        await editor.dispose();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const lenses = await this.codeLensTexts().catch(() => []);
    throw new Error(`No CodeLens part matching ${part} above "${lineText}" could be clicked within ${timeout} ms. Lenses shown: ${JSON.stringify(lenses)}. ${String(lastError)}`);
  }

  /**
   * Replaces the only occurrence of `find` in the active editor with `replacement` through the editor's
   * own find/replace widget (typing into the editor would trigger auto-closing quotes).
   */
  async replaceInEditor(find: string, replacement: string): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press('Control+H');
    const widget = this.activeEditor().locator('.find-widget.visible');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    const findInput = widget.locator('.find-part .input').first();
    await findInput.fill(find);
    const count = widget.locator('.matchesCount');
    await count.filter({ hasText: /^1 of 1$/ }).waitFor({ timeout: 10_000 }).catch(async () => {
      const shown = await count.textContent().catch(() => '?');
      throw new Error(`Expected exactly one "${find}" in the editor before replacing; the find widget says "${shown}".`);
    });
    const replaceInput = widget.locator('.replace-part .input').first();
    await replaceInput.fill(replacement);
    await replaceInput.press('Control+Alt+Enter');
    await count.filter({ hasText: /^No results$/ }).waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /**
   * Selects the only occurrence of `find` in the active editor: the find widget moves the editor selection
   * to its match, and closing it leaves that selection with the focus back in the editor.
   */
  async selectInEditor(find: string): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press('Control+F');
    const widget = this.activeEditor().locator('.find-widget.visible');
    await widget.waitFor({ state: 'visible', timeout: 10_000 });
    await widget.locator('.find-part .input').first().fill(find);
    const count = widget.locator('.matchesCount');
    await count.filter({ hasText: /^1 of 1$/ }).waitFor({ timeout: 10_000 }).catch(async () => {
      const shown = await count.textContent().catch(() => '?');
      throw new Error(`Expected exactly one "${find}" in the editor before selecting it; the find widget says "${shown}".`);
    });
    await this.page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
    await this.activeEditor().locator('textarea').first().waitFor({ state: 'attached', timeout: 10_000 });
  }

  /** Types `text` key by key into the focused editor, as a user would (each key is its own change). */
  async typeInEditor(text: string, delayMs = 40): Promise<void> {
    await this.page.keyboard.type(text, { delay: delayMs });
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer marked dirty. */
  async save(): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** The content frame of the most recently opened webview panel (e.g. the dashboard). */
  webviewFrame(): ReturnType<Page['frameLocator']> {
    // Webviews are an outer iframe (the host) wrapping #active-frame (the extension's HTML).
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  /** The content frame of the webview panel that shows `selector` (when several panels are open). */
  async webviewFrameWith(selector: string, options: WaitOptions = {}): Promise<ReturnType<Page['frameLocator']>> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const hosts = this.page.locator('iframe.webview.ready');
      const count = await hosts.count();
      for (let i = 0; i < count; i++) {
        const frame = this.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
        if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      if (Date.now() > deadline) throw new Error(`No webview shows ${selector} (${count} webviews open).`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async screenshot(fileName: string): Promise<string> {
    const path = resultPath(fileName);
    await this.page.screenshot({ path, fullPage: false });
    return path;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
