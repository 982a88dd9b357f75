/**
 * The store reads a file once and writes only what changed: a state written by the incremental
 * serialiser is the one a full validation and redaction would write, a file nobody changed is not
 * parsed again, a file changed by someone else is, and a hand edit is validated in full.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactedJson } from '../../automation/redact.js';
import { emptyState, type State, stateSchema } from '../../automation/store/schema.js';
import { isSealed, StateSerializer } from '../../automation/store/snapshot.js';
import { StateStore } from '../../automation/store/store.js';
import { enqueue } from '../../automation/tasks/queue.js';
import { tempDir } from '../support/tmp.js';

const SECRET = 'sk-live-do-not-store-0042';
const now = '2026-12-04T10:00:00.000Z';

function sample(n: number): State {
  const state = emptyState();
  for (let i = 0; i < n; i++)
    enqueue(state, { type: 'manual', file_path: `src/f${i}.ts`, description: `check ${i}` }, now);
  state.stats.saves = n;
  return state;
}

/** What the store wrote before: everything validated and redacted at once. */
const full = (state: State, secrets: string[]) =>
  JSON.parse(redactedJson(stateSchema.parse(state), secrets, 2)) as object;

const body = (text: string) => {
  const { integrity, ...rest } = JSON.parse(text) as { integrity: string };
  expect(integrity).toMatch(/^[0-9a-f]{40}$/);
  return rest;
};

describe('the incremental serialiser', () => {
  it('writes what a full validation and redaction would, change after change', () => {
    const serializer = new StateSerializer([SECRET]);
    const state = sample(30);
    expect(body(serializer.serialize(state).text)).toEqual(full(state, [SECRET]));
    // Changes of one task, a new task holding a secret, a removed task, a top-level change.
    const first = state.queues.pending[0];
    if (first) first.description = 'changed';
    enqueue(state, { type: 'manual', file_path: 'x.ts', description: `key ${SECRET}` }, now);
    state.queues.pending.splice(3, 1);
    state.conversation_history.push({ timestamp: now, type: 'note', text: SECRET });
    const { text, state: held } = serializer.serialize(state);
    expect(body(text)).toEqual(full(state, [SECRET]));
    expect(text).not.toContain(SECRET);
    expect(text).toBe(new StateSerializer([SECRET]).serialize(state).text);
    // Redaction changed it: what it holds is not what was written, so it is not kept.
    expect(held).toBeUndefined();
    expect(isSealed(Buffer.from(text))).toBe(true);
  });

  it('refuses a task the schema refuses, as a full validation did', () => {
    const state = sample(2);
    (state.queues.pending[1] as { priority: string }).priority = 'urgent!';
    expect(() => new StateSerializer([]).serialize(state)).toThrow(/priority/);
  });
});

describe('the store', () => {
  const make = (dir = tempDir()) => {
    const file = join(dir, 'state.json');
    return { file, store: new StateStore({ file, lockFile: `${file}.lock` }) };
  };

  it('parses a file once; a write by another process is read again', async () => {
    const { file, store } = make();
    await store.update((s) => void Object.assign(s, sample(50)));
    for (let i = 0; i < 5; i++) await store.read();
    expect(store.counts.parses).toBe(0);
    const state = await store.read();
    expect(() => {
      state.stats.saves = 1;
    }).toThrow(TypeError);
    const other = new StateStore({ file, lockFile: `${file}.lock` });
    await other.update((s) => void Object.assign(s.stats, { saves: 99 }));
    expect((await store.read()).stats.saves).toBe(99);
    expect(store.counts.parses).toBe(1);
  });

  it('validates a file edited by hand in full: a bad task moves it aside', async () => {
    const { file, store } = make();
    await store.update((s) => void Object.assign(s, sample(3)));
    const text = readFileSync(file, 'utf8');
    expect(isSealed(Buffer.from(text))).toBe(true);
    // Same length, same digest field: only the content is wrong now.
    writeFileSync(file, text.replace('"priority": "normal"', '"priority": "xormal"'));
    expect(isSealed(readFileSync(file))).toBe(false);
    const warnings: string[] = [];
    const fresh = new StateStore({
      file,
      lockFile: `${file}.lock`,
      onWarning: (m) => warnings.push(m),
    });
    expect((await fresh.read()).queues.pending).toHaveLength(0);
    expect(warnings.join()).toMatch(/queues\.pending\.0\.priority/);
  });
});
