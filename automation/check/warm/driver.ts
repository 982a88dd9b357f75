/**
 * What the warm child asks of a runner: one instance of the project's own runner, opened once
 * and run on request. child.ts speaks the protocol; a driver per runner (vitest-driver.ts,
 * jest/driver.ts) does the runner's part.
 */
import type { RunRequest } from './protocol.js';

/** One run's answer, as a cold process of the runner would have given it. */
export interface DriverRun {
  exitCode: number;
  /** The runner's output for this run, capped. */
  output: string;
  /** The JSON report (`--reporter=json`, `--json`), or undefined when the run wrote none. */
  report: string | undefined;
}

/** An open runner instance of one project. */
export interface WarmDriver {
  /** The runner's version. */
  readonly version: string;
  /** Files whose change needs a new instance (configs, manifests, lockfiles). */
  restartFiles(): string[];
  run(req: RunRequest): Promise<DriverRun>;
  close(): Promise<void>;
}

/** The project's runner cannot run warm (its version, an option): retrying will not help. */
export class UnsupportedRunnerError extends Error {}

/** Adds the tail of what the runner printed while opening to the error that stopped it. */
export function withOutput(error: unknown, output: string): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  e.message = `${e.message}\n${output.slice(-2000)}`.trim();
  return e;
}

/** The largest output a run keeps (its tail). */
export const OUTPUT_MAX = 64 * 1024;
