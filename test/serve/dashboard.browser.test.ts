import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { tempDir } from '../support/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

// CI installs Debian's chromium (.ci/run); elsewhere the test runs wherever it is installed.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('dashboard in headless Chromium', () => {
  it('shows a task move from pending to completed, live', async () => {
    const cwd = tempDir();
    const daemon = startDaemon(cwd, {
      STATUS_PORT: '0',
      // A check runs until the test opens the gate: what the page shows meanwhile is not a race.
      TEST_COMMAND: 'until [ -e gate ]; do sleep 0.05; done',
      WATCH_EXTENSIONS: '.js',
    });
    await daemon.waitFor(/Status server and dashboard/);
    const url = (
      await waitForState(cwd, (s) => typeof s.processes.orchestrator?.status_url === 'string')
    ).processes.orchestrator?.status_url as string;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await page.goto(url);
      await page.waitForSelector('#badge.running');
      const first = (await runCli(['check', 'a.js'], { cwd })).stdout.trim();
      const second = (await runCli(['check', 'b.js'], { cwd })).stdout.trim();
      // While the first runs (held at the gate), the second waits in pending.
      await page.waitForSelector(`[data-queue="pending"] tr[data-task-id="${second}"]`, {
        timeout: 10_000,
      });
      await page.waitForSelector(`#current:has-text("${first}")`, { timeout: 10_000 });
      writeFileSync(join(cwd, 'gate'), '');
      await page.waitForSelector(`[data-queue="finished"] tr[data-task-id="${second}"] td.clean`, {
        timeout: 15_000,
      });
      expect(
        await page.locator(`[data-queue="pending"] tr[data-task-id="${second}"]`).count(),
      ).toBe(0);
      expect(await page.textContent('[data-count="completed"] b')).toBe('2');
      // The workers panel: this daemon's two work-order workers (MAX_WORKERS), idle.
      expect(await page.locator('#workers tr[data-worker-id] td.idle').count()).toBe(2);
      mkdirSync(ARTIFACTS, { recursive: true });
      // A task's transcript, on a click (a clean check's: what its record tells).
      await page.click(`[data-queue="finished"] tr[data-task-id="${second}"]`);
      await page.waitForSelector('#log:has-text("clean")', { timeout: 10_000 });
      expect(await page.textContent('#logtask')).toBe(second);
      await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
    } finally {
      await browser.close();
      daemon.child.kill('SIGINT');
      await daemon.exited;
    }
  }, 60_000);
});
