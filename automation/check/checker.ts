/** Checker: runs the detected runner on a target and returns a structured Verdict. */

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Detection } from './detect.js';
import type { ProcessRunner } from './process-runner.js';
import type { CheckTarget, Reading, RunnerContext } from './runner.js';
import { readFileOrUndefined } from './runners/read-report.js';
import { finishVerdict, type Verdict } from './verdict.js';

export interface CheckerOptions {
  root: string;
  detection: Detection | undefined;
  processRunner: ProcessRunner;
  timeoutMs: number;
  /** Environment for test processes (CI=true, no colours, no secrets). */
  env: NodeJS.ProcessEnv;
}

/** Runs tests for targets; never throws for a test failure, only returns verdicts. */
export class Checker {
  constructor(private readonly options: CheckerOptions) {}

  get runnerName(): string | undefined {
    return this.options.detection?.runner.name;
  }

  async check(target: CheckTarget, signal?: AbortSignal): Promise<Verdict> {
    const { root, detection } = this.options;
    const base = {
      scope: target.scope,
      files: target.files,
      exit_code: null,
      duration_ms: 0,
      output_excerpt: '',
    };
    if (!detection) {
      return finishVerdict({
        ...base,
        status: 'no_tests',
        runner: 'none',
        command: '',
        counts: zero(),
        failures: [],
      });
    }
    const ctx: RunnerContext = {
      root,
      tempFile: (ext) =>
        join(tmpdir(), `fixloop-report-${process.pid}-${randomBytes(4).toString('hex')}${ext}`),
    };
    const inv = await detection.runner.invocation(target, ctx);
    const command = [inv.file, ...inv.args].join(' ');
    if (inv.skip)
      return finishVerdict({
        ...base,
        status: 'no_tests',
        runner: detection.runner.name,
        command,
        counts: zero(),
        failures: [],
      });

    const result = await this.options.processRunner.run(inv.file, inv.args, {
      cwd: root,
      env: this.options.env,
      timeoutMs: this.options.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const report = await readFileOrUndefined(inv.reportFile);
    const common = {
      ...base,
      runner: detection.runner.name,
      command,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      output_excerpt: result.output,
    };
    if (result.timedOut) {
      const failure = {
        name: 'test run',
        file: null,
        message:
          `the test run took longer than ${Math.round(this.options.timeoutMs / 1000)} s ` +
          'and was killed',
        excerpt: '',
      };
      return finishVerdict({ ...common, status: 'timeout', counts: zero(), failures: [failure] });
    }
    if (result.aborted) {
      return finishVerdict({
        ...common,
        status: 'error',
        counts: zero(),
        failures: [{ name: 'test run', file: null, message: 'aborted', excerpt: '' }],
      });
    }
    let reading: Reading;
    try {
      reading = detection.runner.read(result, report, ctx);
    } catch (error) {
      reading = {
        status: 'error' as const,
        counts: zero(),
        failures: [
          {
            name: 'test report',
            file: null,
            message: `unreadable report: ${(error as Error).message}`,
            excerpt: '',
          },
        ],
      };
    }
    return finishVerdict({ ...common, ...reading });
  }
}

const zero = () => ({ passed: 0, failed: 0, skipped: 0, total: 0 });
