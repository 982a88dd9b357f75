import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('fixloop demo', () => {
  const wholeDemo =
    'shows a fix, a failed fix with retries, ' +
    'an open breaker and an escalation, then cleans up (exit 0)';
  it(wholeDemo, async () => {
    const cwd = tempDir();
    const cache = tempDir('fixloop-cache-');
    const run = await runCli(['demo'], { cwd, timeoutMs: 60_000, env: { XDG_CACHE_HOME: cache } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/recorded demo model, NOT Claude/);
    expect(out).toMatch(/Fix succeeded on attempt 1/);
    expect(out).toMatch(/Attempt 2\/2 for task/);
    expect(out).toMatch(/Circuit breaker for src\/price\.js: open/);
    expect(out).toMatch(
      /\[Sink\] escalation received: error: fixloop stopped fixing src\/price\.js/,
    );
    expect(out).toMatch(/Circuit breaker open for src\/price\.js; no fix attempted/);
    expect(out).toMatch(/fixloop: running/);
    expect(out).toMatch(/✓ (task_[0-9a-f]{8}) done: fixloop\/\1 \([0-9a-f]{7}\)/);
    expect(out).toMatch(/your working tree is untouched/);
    expect(out).toMatch(/Tasks processed: 4/);
    expect(out).toMatch(/✓ Demo complete in [\d.]+ s/);
    const dir = /Sample project \(vitest\): (\S+)/.exec(out)?.[1];
    expect(dir && existsSync(dir)).toBe(false);
    expect(existsSync(`${cwd}/state`)).toBe(false); // never touches the directory it runs in
    // Nothing is left in fixloop's cache either.
    const kept = join(cache, 'fixloop');
    expect(existsSync(kept) ? readdirSync(kept) : []).toEqual([]);
  }, 90_000);
});
