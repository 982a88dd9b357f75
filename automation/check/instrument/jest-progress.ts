/**
 * A jest reporter (added to fixloop's runs with `--reporters`) that appends the run's progress to
 * the file named by FIXLOOP_PROGRESS_FILE (see progress.ts). jest calls it before each test body
 * runs, so even a test that never returns is named.
 */
import { appendFileSync } from 'node:fs';

interface Test {
  path: string;
}
interface CaseInfo {
  fullName: string;
}

function write(event: Record<string, unknown>): void {
  const out = process.env.FIXLOOP_PROGRESS_FILE;
  if (!out) return;
  try {
    appendFileSync(out, `${JSON.stringify({ ...event, t: Date.now() })}\n`);
  } catch {
    /* progress is a nicety: never a reason for a run to fail */
  }
}

export default class FixloopProgress {
  onTestFileStart(test: Test): void {
    write({ e: 'file', file: test.path });
  }
  onTestFileResult(test: Test): void {
    write({ e: 'file-end', file: test.path });
  }
  onTestCaseStart(test: Test, info: CaseInfo): void {
    write({
      e: 'start',
      id: `${test.path}#${info.fullName}`,
      name: info.fullName,
      file: test.path,
    });
  }
  onTestCaseResult(test: Test, result: CaseInfo): void {
    write({ e: 'end', id: `${test.path}#${result.fullName}`, file: test.path });
  }
  getLastError(): undefined {
    return undefined;
  }
}
