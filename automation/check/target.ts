/** Which tests a task runs: related tests of its file, the file itself for a test, or the suite. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../store/schema.js';
import type { CheckTarget } from './runner.js';
import { isTestFile } from './test-files.js';

/**
 * The check target for a task, or a reason to skip it (a deleted test file has nothing left to
 * run).
 */
export function targetFor(task: Task, projectRoot: string): CheckTarget | { skip: string } {
  if (task.type === 'bulk_change' || task.file_path === null) return { scope: 'suite', files: [] };
  const deleted = task.change === 'deleted' || !existsSync(join(projectRoot, task.file_path));
  if (!deleted) return { scope: 'related', files: [task.file_path] };
  // The import graph of a deleted file is gone: the suite shows what used it.
  if (isTestFile(task.file_path))
    return { skip: 'the deleted file was a test; nothing left to run' };
  return { scope: 'suite', files: [] };
}
