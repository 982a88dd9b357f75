/**
 * A vitest reporter (given to cold runs with `--reporter`, and to the warm runner's instance)
 * that appends the run's progress to the file named by FIXLOOP_PROGRESS_FILE (see progress.ts).
 * vitest batches a worker's updates, so a test that blocks its worker may be seen only as its
 * file having started.
 */
import { appendFileSync } from 'node:fs';

interface TestCase {
  id: string;
  fullName: string;
  module: { moduleId: string };
  location?: { line: number };
}
interface TestModule {
  moduleId: string;
  children?: { allTests(): Iterable<{ fullName: string }> };
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
  onTestModuleQueued(module: TestModule): void {
    write({ e: 'file', file: module.moduleId });
  }
  onTestModuleCollected(module: TestModule): void {
    const names = module.children ? [...module.children.allTests()].map((t) => t.fullName) : [];
    write({ e: 'tests', file: module.moduleId, names });
  }
  onTestModuleEnd(module: TestModule): void {
    write({ e: 'file-end', file: module.moduleId });
  }
  onTestCaseReady(test: TestCase): void {
    const line = test.location?.line;
    write({ e: 'start', id: test.id, name: test.fullName, file: test.module.moduleId, line });
  }
  onTestCaseResult(test: TestCase): void {
    write({ e: 'end', id: test.id, file: test.module.moduleId });
  }
}
