import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetFor } from '../../automation/check/target.js';
import type { Task } from '../../automation/store/schema.js';
import { tempDir } from '../support/tmp.js';

const task = (over: Partial<Task>): Task => ({
  id: 'task_00000001',
  type: 'file_change',
  file_path: 'src/a.ts',
  description: '',
  priority: 'normal',
  created_at: 't',
  updated_at: 't',
  status: 'in_progress',
  retry_count: 0,
  attempts: [],
  ...over,
});

describe('targetFor', () => {
  const relatedSuiteOrNothing =
    'runs related tests for an existing file, ' +
    'the suite for a deleted source, nothing for a deleted test';
  it(relatedSuiteOrNothing, () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.ts'), '');
    expect(targetFor(task({ file_path: 'a.ts' }), root)).toEqual({
      scope: 'related',
      files: ['a.ts'],
    });
    expect(targetFor(task({ file_path: 'gone.ts', change: 'deleted' }), root)).toEqual({
      scope: 'suite',
      files: [],
    });
    expect(
      targetFor(task({ file_path: 'src/gone.test.ts', change: 'deleted' }), root),
    ).toHaveProperty('skip');
    expect(targetFor(task({ type: 'bulk_change', file_path: null }), root)).toEqual({
      scope: 'suite',
      files: [],
    });
    expect(targetFor(task({ type: 'manual', file_path: null }), root)).toEqual({
      scope: 'suite',
      files: [],
    });
  });
});
