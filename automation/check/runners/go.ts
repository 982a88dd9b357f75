/** go test: the changed file's package (`go test -json ./dir`), or every package. */
import type { Reading, RunnerAdapter } from '../runner.js';
import { unreadable } from '../runner.js';
import type { FailingTest } from '../verdict.js';

interface GoEvent {
  Action?: string;
  Package?: string;
  Test?: string;
  Output?: string;
}

/** Reads `go test -json` event lines. */
export function readGoJson(output: string, exitCode: number | null): Reading {
  const counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  const logs = new Map<string, string>();
  const failures: FailingTest[] = [];
  let buildFailed = false;
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) {
      if (/^(#|.*\.go:\d+:\d+:)/.test(line)) buildFailed = true;
      continue;
    }
    let e: GoEvent;
    try {
      e = JSON.parse(line) as GoEvent;
    } catch {
      continue;
    }
    const key = `${e.Package}/${e.Test ?? ''}`;
    if (e.Action === 'output' && e.Output) logs.set(key, (logs.get(key) ?? '') + e.Output);
    if (!e.Test) continue;
    if (e.Action === 'pass') counts.passed++;
    if (e.Action === 'skip') counts.skipped++;
    if (e.Action === 'fail') {
      counts.failed++;
      const log = logs.get(key) ?? '';
      const message =
        log
          .split('\n')
          .map((l) => l.trim())
          .find((l) => /\.go:\d+:/.test(l)) ?? 'failed';
      failures.push({ name: e.Test, file: e.Package ?? null, message, excerpt: log });
    }
  }
  counts.total = counts.passed + counts.failed + counts.skipped;
  if (exitCode === 0) return { status: counts.total ? 'passed' : 'no_tests', counts, failures: [] };
  if (counts.failed) return { status: 'failed', counts, failures };
  return {
    status: buildFailed ? 'failed' : 'error',
    counts,
    failures: [
      {
        name: buildFailed ? 'build failed' : 'go test',
        file: null,
        message:
          output.split('\n').find((l) => l.trim() && !l.startsWith('{')) ??
          `go test exited with code ${exitCode}`,
        excerpt: output.slice(-1500),
      },
    ],
  };
}

export const goRunner: RunnerAdapter = {
  name: 'go',
  invocation(target) {
    const pkgs =
      target.scope === 'suite'
        ? ['./...']
        : [
            ...new Set(
              target.files.map((f) =>
                f.includes('/') ? `./${f.slice(0, f.lastIndexOf('/'))}` : '.',
              ),
            ),
          ];
    return { file: 'go', args: ['test', '-json', ...pkgs] };
  },
  read(result) {
    if (result.spawnError) return unreadable(result, result.spawnError);
    return readGoJson(result.output, result.exitCode);
  },
};
