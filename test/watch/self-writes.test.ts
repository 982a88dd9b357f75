import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SelfWrites } from '../../automation/watch/self-writes.js';
import { tempDir } from '../support/tmp.js';

describe('SelfWrites', () => {
  it('recognises our own write by content, not by path alone', async () => {
    const root = tempDir();
    let now = 0;
    const sw = new SelfWrites(root, { now: () => now }, 1000);
    writeFileSync(join(root, 'a.ts'), 'ours');
    sw.remember('a.ts', 'ours');
    expect(await sw.isOwn('a.ts')).toBe(true);
    writeFileSync(join(root, 'a.ts'), 'the user typed this');
    expect(await sw.isOwn('a.ts')).toBe(false);
    expect(await sw.isOwn('b.ts')).toBe(false);
    writeFileSync(join(root, 'a.ts'), 'ours');
    now = 1000;
    expect(await sw.isOwn('a.ts')).toBe(false); // expired
  });
});
