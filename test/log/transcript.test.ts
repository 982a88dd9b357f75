/** The transcript writer and reader: bounded, redacted, in order, safe with foreign lines. */
import { appendFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEntry } from '../../automation/output/print-logs.js';
import { createStyle } from '../../automation/output/style.js';
import { terminalText } from '../../automation/output/terminal-text.js';
import {
  lineChanges,
  parseEntries,
  type TranscriptEntry,
} from '../../automation/transcript/entry.js';
import { followTranscript, readTranscript } from '../../automation/transcript/read.js';
import { TranscriptWriter, transcriptFile } from '../../automation/transcript/writer.js';
import { tempDir } from '../support/tmp.js';

const clock = { now: () => Date.parse('2026-12-04T10:00:00Z') };
const ID = 'task_0123abcd';
const KEY = 'sk-ant-api03-SECRETSECRET-0123456789';

describe('transcripts', () => {
  it('writes entries in order, redacted, and reads them back', async () => {
    const logDir = tempDir();
    const writer = new TranscriptWriter({ logDir, secrets: [KEY], clock });
    for (let n = 1; n <= 50; n++) writer.note(ID, { kind: 'step', step: `step ${n} with ${KEY}` });
    writer.note(ID, { kind: 'end', status: 'completed', outcome: 'done' });
    await writer.flush();
    const entries = await readTranscript(logDir, ID);
    expect(entries?.map((e) => (e.kind === 'step' ? e.step : e.kind))).toEqual([
      ...Array.from({ length: 50 }, (_, i) => `step ${i + 1} with [redacted]`),
      'end',
    ]);
    expect(entries?.[0]).toMatchObject({ at: '2026-12-04T10:00:00.000Z', task: ID });
  });

  it('stops at its bound but always keeps how the task ended', async () => {
    const logDir = tempDir();
    const writer = new TranscriptWriter({ logDir, secrets: [], clock, maxBytes: 2000 });
    for (let n = 0; n < 200; n++) writer.note(ID, { kind: 'step', step: 'x'.repeat(50) });
    writer.note(ID, { kind: 'attempt', attempt: 1, outcome: 'passed' });
    writer.note(ID, { kind: 'end', status: 'completed', outcome: 'done' });
    await writer.flush();
    const file = transcriptFile(logDir, ID) as string;
    expect(statSync(file).size).toBeLessThan(2400);
    const kinds = (await readTranscript(logDir, ID))?.map((e) => e.kind);
    expect(kinds?.slice(-3)).toEqual(['truncated', 'attempt', 'end']);
  });

  it('refuses ids that are not task ids, and skips lines that are not entries', async () => {
    const logDir = tempDir();
    expect(transcriptFile(logDir, '../../etc/passwd')).toBeUndefined();
    const writer = new TranscriptWriter({ logDir, secrets: [], clock });
    writer.note('../escape', { kind: 'step', step: 'x' });
    writer.note(ID, { kind: 'step', step: 'first' });
    await writer.flush();
    appendFileSync(transcriptFile(logDir, ID) as string, '{"torn":\nnot json\n{"kind":"evil"}\n');
    writer.note(ID, { kind: 'step', step: 'second' });
    await writer.flush();
    expect(readdirSync(logDir)).toEqual(['tasks']);
    const steps = (await readTranscript(logDir, ID))?.map((e) => (e.kind === 'step' ? e.step : ''));
    expect(steps).toEqual(['first', 'second']);
  });

  it('removes the oldest transcripts beyond the bound', async () => {
    const logDir = tempDir();
    const writer = new TranscriptWriter({ logDir, secrets: [], clock });
    for (let n = 0; n < 5; n++) writer.note(`task_0000000${n}`, { kind: 'step', step: 's' });
    await writer.flush();
    for (let n = 0; n < 5; n++) {
      const t = new Date(Date.UTC(2026, 0, 1 + n));
      utimesSync(transcriptFile(logDir, `task_0000000${n}`) as string, t, t);
    }
    expect(await writer.prune(3)).toBe(2);
    expect(readdirSync(join(logDir, 'tasks')).sort()).toEqual([
      'task_00000002.jsonl',
      'task_00000003.jsonl',
      'task_00000004.jsonl',
    ]);
  });

  it('follows a transcript until the task has ended and its end line is read', async () => {
    const logDir = tempDir();
    const writer = new TranscriptWriter({ logDir, secrets: [], clock });
    let ended = false;
    const seen: string[] = [];
    const follow = followTranscript({
      read: async () => (await readTranscript(logDir, ID)) ?? [],
      ended: async () => ended,
      intervalMs: 5,
    });
    writer.note(ID, { kind: 'step', step: 'one' });
    for await (const e of follow) {
      seen.push(e.kind);
      if (seen.length === 1) {
        writer.note(ID, { kind: 'end', status: 'completed', outcome: 'done' });
        await writer.flush();
        ended = true;
      }
    }
    expect(seen).toEqual(['step', 'end']);
  });

  it("reads a foreign job log's lines as untrusted: checked by kind, safe on a terminal", () => {
    const lines = [
      JSON.stringify({ at: 'x', task: ID, kind: 'plan' }), // no summary, steps or files
      JSON.stringify({ at: 'x', task: 'task_ffffffff', kind: 'step', step: 'another task' }),
      JSON.stringify({ at: 'x', task: ID, kind: 'step', step: 'y'.repeat(5000) }),
      JSON.stringify({
        at: 'x',
        task: ID,
        kind: 'step',
        step: 'reset\u001bc\u001b(0\u009b2J',
        x: 1,
      }),
    ];
    const entries = parseEntries(lines, ID);
    expect(entries.map((e) => (e.kind === 'step' ? e.step.length : 0))).toEqual([2000, 13]);
    expect(entries[1]).toEqual({
      ...{ at: 'x', task: ID, kind: 'step' },
      step: 'reset\u001bc\u001b(0\u009b2J',
    });
    const shown = formatEntry(entries[1] as TranscriptEntry, createStyle(false));
    expect(terminalText(shown, true)).toBe('x        step        resetc(02J');
    // Colour codes of fixloop's own survive when colour is on.
    expect(terminalText('\u001b[31mred\u001b[39m', true)).toBe('\u001b[31mred\u001b[39m');
  });

  it('counts lines added and removed', () => {
    expect(lineChanges(null, 'a\nb\n')).toEqual({ added: 2, removed: 0 });
    expect(lineChanges('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({ added: 2, removed: 1 });
    expect(lineChanges('a\n', null)).toEqual({ added: 0, removed: 1 });
  });
});
