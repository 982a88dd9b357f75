/**
 * A reporter for node's test runner (`--test-reporter`, its destination the progress file): turns
 * the runner's events into progress lines (see progress.ts). Each test file runs in a process of
 * its own whose events reach this reporter in batches, so a test that blocks its process may be
 * seen only as its file (the runner's file-level test) still running.
 */

import { resolve } from 'node:path';

interface TestEvent {
  type: string;
  data?: { name?: string; file?: string; line?: number; nesting?: number };
}

const id = (d: NonNullable<TestEvent['data']>) => `${d.file}#${d.nesting}#${d.name}`;
const line = (event: Record<string, unknown>) => `${JSON.stringify({ ...event, t: Date.now() })}\n`;

export default async function* progress(source: AsyncIterable<TestEvent>) {
  for await (const event of source) {
    const d = event.data;
    if (!d?.name || !d.file) continue;
    const starts = event.type === 'test:dequeue';
    const ends = event.type === 'test:pass' || event.type === 'test:fail';
    if (!starts && !ends) continue;
    if (d.nesting === 0 && (d.name === d.file || resolve(d.name) === d.file)) {
      // The file itself, as the runner schedules it (named by its absolute path up to Node 20,
      // by its path relative to the run's folder since Node 22).
      yield line({ e: starts ? 'file' : 'file-end', file: d.file });
    } else if (starts) {
      yield line({ e: 'start', id: id(d), name: d.name, file: d.file, line: d.line });
    } else {
      const ok = event.type === 'test:pass';
      yield line({ e: 'end', id: id(d), name: d.name, file: d.file, ...(ok ? { ok } : {}) });
    }
  }
}
