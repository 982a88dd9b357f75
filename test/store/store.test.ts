import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateLockError, StateVersionError } from '../../automation/store/errors.js';
import { lockAdvice } from '../../automation/store/lock.js';
import { LIMITS, stateSchema } from '../../automation/store/schema.js';
import { StateStore } from '../../automation/store/store.js';
import { enqueue, moveTask } from '../../automation/tasks/queue.js';
import { canMount, smallDisk } from '../support/small-disk.js';
import { tempDir } from '../support/tmp.js';

function makeStore(dir = tempDir()) {
  const warnings: string[] = [];
  const logged: Array<{ obj: object; msg?: string }> = [];
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn: (obj: object, msg?: string) => logged.push({ obj, msg }),
  };
  const file = join(dir, 'state', 'app_state.json');
  const store = new StateStore({
    file,
    lockFile: `${file}.lock`,
    logger,
    onWarning: (m) => warnings.push(m),
    staleMs: 2000,
  });
  return { dir, file, store, warnings, logged };
}

describe('StateStore', () => {
  it('reads a missing file as an empty state without creating it', async () => {
    const { store, file } = makeStore();
    const state = await store.read();
    expect(state.version).toBe(1);
    expect(state.queues).toEqual({
      pending: [],
      in_progress: [],
      needs_input: [],
      completed: [],
      failed: [],
    });
    expect(existsSync(file)).toBe(false);
  });

  it('writes the contract schema and releases the lock', async () => {
    const { store, file } = makeStore();
    const id = await store.update(
      (s) =>
        enqueue(s, { type: 'manual', file_path: null, description: 'x' }, new Date().toISOString())
          .task.id,
    );
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(doc)).toEqual([
      'version',
      'processes',
      'queues',
      'conversation_history',
      'test_results',
      'breakers',
      'escalations',
      'usage',
      'stats',
      'workers',
      'integrity',
    ]);
    expect(doc.queues.pending[0].id).toBe(id);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(join(file, '..')).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  const writeWithoutLock =
    'a write made without the lock (by hand) makes the update redo on top of it, ' +
    'and the lock is still released';
  it(writeWithoutLock, async () => {
    const { store, file } = makeStore();
    await store.update((s) => {
      s.stats.n = 1;
    });
    let runs = 0;
    await store.update((s) => {
      if (runs++ === 0) {
        const doc = JSON.parse(readFileSync(file, 'utf8'));
        doc.stats.edited_by_hand = true;
        writeFileSync(file, JSON.stringify(doc)); // no lock: our lock is still ours
      }
      s.stats.n = 2;
    });
    expect(runs).toBe(2);
    expect((await store.read()).stats).toMatchObject({ n: 2, edited_by_hand: true });
    // released, so the next update does not wait a minute
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('returns what the updater returns and writes nothing when it throws', async () => {
    const { store, file } = makeStore();
    await store.update((s) => {
      s.stats.n = 1;
    });
    const before = readFileSync(file, 'utf8');
    await expect(
      store.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses to write a state that breaks the schema', async () => {
    const { store, file } = makeStore();
    await store.update((s) => {
      s.stats.n = 1;
    });
    const before = readFileSync(file, 'utf8');
    await expect(
      store.update((s) => {
        (s.queues.pending as unknown[]).push({ id: 'bad' });
      }),
    ).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('applies the contract limits, dropping the oldest first', async () => {
    const { store } = makeStore();
    await store.update((s) => {
      for (let i = 0; i < 60; i++) {
        const t = enqueue(
          s,
          { type: 'manual', file_path: null, description: `t${i}` },
          `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
        ).task;
        moveTask(s, t.id, i % 2 ? 'completed' : 'failed', 'now', {
          outcome: i % 2 ? 'clean' : 'failed',
        });
      }
      for (let i = 0; i < 150; i++) s.test_results.push({ timestamp: `r${i}` });
      for (let i = 0; i < 150; i++) s.escalations.push({ n: i });
    });
    await store.update((s) => {
      for (let i = 60; i < 160; i++) {
        const t = enqueue(s, { type: 'manual', file_path: null, description: `t${i}` }, 'x').task;
        moveTask(s, t.id, 'completed', 'now', { outcome: 'clean' });
      }
    });
    const s = await store.read();
    expect(s.queues.completed).toHaveLength(LIMITS.completed);
    expect(s.queues.completed.at(-1)?.description).toBe('t159');
    expect(s.queues.completed[0]?.description).toBe('t110');
    expect(s.queues.failed).toHaveLength(30);
    expect(s.conversation_history).toHaveLength(LIMITS.conversation_history);
    expect(s.test_results).toHaveLength(LIMITS.test_results);
    expect(s.test_results[0]?.timestamp).toBe('r50');
    expect(s.escalations).toHaveLength(LIMITS.escalations);
  });

  it('keeps fields it does not know (written by a newer minor version)', async () => {
    const { store, file } = makeStore();
    await store.update((s) => {
      s.stats.n = 1;
    });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.future_section = { a: 1 };
    writeFileSync(file, JSON.stringify(doc));
    await store.update((s) => {
      s.stats.n = 2;
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).future_section).toEqual({ a: 1 });
  });

  const corrupt: Array<[string, string | Buffer]> = [
    ['truncated JSON', '{"version": 1, "queues": {"pending": ['],
    ['a wrong schema', JSON.stringify({ version: 1, queues: { pending: [{ id: 42 }] } })],
    ['an empty file', ''],
    ['binary garbage', Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00])],
    ['a JSON array', '[1,2,3]'],
    // Wrong shapes that break a migration step or the reader, not only the schema.
    ['a version-less document with a null task', '{"queues":{"pending":[null]}}'],
    ['a null task', '{"version":1,"queues":{"pending":[null]}}'],
    ['a queues array', '{"queues":[1]}'],
  ];
  for (const [what, content] of corrupt) {
    it(`moves ${what} aside, starts fresh and says so`, async () => {
      const { store, file, warnings, logged } = makeStore();
      await store.update(() => {}); // creates the directory
      writeFileSync(file, content);
      await store.update((s) => {
        s.stats.after = true;
      });
      const aside = readdirSync(join(file, '..')).filter((f) =>
        f.startsWith('app_state.json.corrupt-'),
      );
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(file, '..', aside[0]!))).toEqual(Buffer.from(content));
      const fresh = stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      expect(fresh.stats).toEqual({ after: true });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(aside[0]);
      expect(logged.some((l) => l.msg === 'corrupt state file moved aside')).toBe(true);
    });
  }

  it('recovers a corrupt file on read() too', async () => {
    const { store, file, warnings } = makeStore();
    await store.update(() => {});
    writeFileSync(file, '{nope');
    const state = await store.read();
    expect(state.queues.pending).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('migrates a version-less document from the Python orchestrator', async () => {
    const { store, file } = makeStore();
    await store.update(() => {});
    writeFileSync(
      file,
      JSON.stringify({
        processes: {
          orchestrator: {
            status: 'stopped',
            pid: 1,
            last_heartbeat: '2025-10-05T14:32:15Z',
            host: 'h',
            project_root: '/p',
            started_at: '2025-10-05T14:00:00Z',
          },
        },
        queues: {
          pending: [
            {
              id: 'task_a3f2b1c8',
              type: 'file_change',
              file_path: 'a.ts',
              description: 'x',
              created_at: '2025-10-05T14:30:00Z',
              status: 'pending',
              retry_count: 0,
            },
          ],
          in_progress: [],
          completed: [],
          failed: [],
        },
        conversation_history: [],
        test_results: [],
      }),
    );
    const state = await store.read();
    expect(state.version).toBe(1);
    expect(state.queues.pending[0]).toMatchObject({
      id: 'task_a3f2b1c8',
      priority: 'normal',
      updated_at: '2025-10-05T14:30:00Z',
      attempts: [],
    });
  });

  it('refuses a state file from a newer fixloop instead of discarding it', async () => {
    const { store, file } = makeStore();
    await store.update(() => {});
    writeFileSync(file, JSON.stringify({ version: 99 }));
    await expect(store.read()).rejects.toBeInstanceOf(StateVersionError);
    await expect(store.update(() => {})).rejects.toBeInstanceOf(StateVersionError);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 99 });
  });

  it.runIf(canMount)('a lock it cannot take says why, without the wrong advice', async () => {
    const disk = smallDisk(256);
    const { store } = makeStore(disk.dir);
    await store.update(() => undefined);
    execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
    const error = await store.update(() => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateLockError);
    expect((error as Error).message).toMatch(/read-only file system; point STATE_FILE/);
    // Deleting the lock directory helps only when another process holds it.
    expect((error as Error).message).not.toMatch(/delete/);
    const denied = Object.assign(new Error('denied'), { code: 'EACCES' });
    expect(lockAdvice('/p/state/s.json.lock', denied)).toMatch(
      /EACCES\): this user may not write in \/p\/state; fix its permissions/,
    );
    const held = Object.assign(new Error('held'), { code: 'ELOCKED' });
    expect(lockAdvice('/p/s.lock', held)).toMatch(/another fixloop process holds it/);
  });
});
