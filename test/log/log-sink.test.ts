import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger } from '../../automation/log/file-logger.js';
import { LogSink } from '../../automation/log/log-sink.js';
import { tempDir } from '../support/tmp.js';

const full = () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });

describe('the log sink', () => {
  it('pauses on a full disk without throwing, says so once, and resumes by itself', async () => {
    let diskFull = true;
    const written: string[] = [];
    const changes: unknown[] = [];
    const sink = new LogSink({
      file: '/unused',
      retryMs: 20,
      onChange: (change) => changes.push(change),
      append: (_file, data) => {
        if (diskFull) throw full();
        written.push(data);
      },
    });
    for (let i = 0; i < 50; i++) expect(sink.write(`{"n":${i}}\n`)).toBe(true);
    await sink.idle();
    for (let i = 50; i < 100; i++) sink.write(`{"n":${i}}\n`);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toEqual([{ paused: true, reason: 'ENOSPC' }]);
    diskFull = false;
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toEqual([
      { paused: true, reason: 'ENOSPC' },
      { paused: false, dropped: 100 },
    ]);
    sink.write('{"n":"after"}\n');
    await sink.idle();
    expect(written.join('')).toMatch(/logging resumed.*"dropped_lines":100[\s\S]*"n":"after"/);
  });

  it('keeps pino lines flowing into the file, flushed at exit', async () => {
    const dir = tempDir();
    const logger = createFileLogger(dir, { component: 'test' });
    for (let i = 0; i < 200; i++) logger.info({ i }, 'line');
    logger.flush();
    await logger.idle();
    const lines = readFileSync(join(dir, 'automation.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(JSON.parse(lines[199] ?? '{}')).toMatchObject({
      i: 199,
      msg: 'line',
      component: 'test',
    });
  });

  it('rotates while the daemon runs: past the bound the file becomes .1, nothing is lost', async () => {
    const dir = tempDir();
    const logger = createFileLogger(dir, { sink: { rotateBytes: 4000 } });
    const file = join(dir, 'automation.log');
    const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n');
    for (let i = 0; i < 60; i++) {
      logger.info({ n: i }, 'a line of about a hundred bytes');
      await logger.idle();
    }
    logger.flush();
    const rotated = lines(`${file}.1`);
    const current = lines(file);
    expect(statSync(file).size).toBeLessThanOrEqual(4000 + 200);
    // Only the newest .1 is kept: what it and the file hold is the latest lines, in order.
    const kept = [...rotated, ...current].map((l) => (JSON.parse(l) as { n: number }).n);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 60 - kept.length + i));
    expect(kept.length).toBeGreaterThan(current.length);
  });
});
