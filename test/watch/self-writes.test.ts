import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../automation/fs/hash.js';
import { LANDING_MS, SelfWrites } from '../../automation/watch/self-writes.js';
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

  const latestWriteOnly =
    'only our latest write is ours (the one before it only while the latest lands): ' +
    'an undo to an older version is seen';
  it(latestWriteOnly, async () => {
    const root = tempDir();
    let now = 0;
    const sw = new SelfWrites(root, { now: () => now });
    const put = (content: string) => writeFileSync(join(root, 'a.js'), content);
    put('original');
    sw.remember('a.js', 'attempt 1');
    put('attempt 1');
    now += 100;
    sw.remember('a.js', 'original'); // the rollback, not yet on disk
    expect(await sw.isOwn('a.js')).toBe(true); // attempt 1 is still there: the rollback is landing
    put('original');
    now += 5000;
    sw.remember('a.js', 'attempt 2');
    put('attempt 2');
    now += LANDING_MS + 5000;
    put('original'); // the user undoes the fix
    expect(await sw.isOwn('a.js')).toBe(false);
    put('attempt 1');
    expect(await sw.isOwn('a.js')).toBe(false);
  });

  it('tells listeners our hash and the content before it', () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.js'), 'before');
    const sw = new SelfWrites(root, { now: () => 0 });
    const heard: string[][] = [];
    sw.onRemember((rel, hash, before) => heard.push([rel, hash, before]));
    sw.remember('a.js', 'after');
    sw.remember('new.js', null);
    expect(heard).toEqual([
      ['a.js', contentHash('after'), contentHash('before')],
      ['new.js', 'deleted', 'deleted'],
    ]);
  });
});
