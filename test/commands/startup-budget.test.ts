/**
 * Read-only commands load little code: each command loads only the chunks of the bundle it needs
 * (the queue's BullMQ only with QUEUE_URL, no SDK, no watcher), and shared chunks carry nothing
 * unused (zod's forty locales once rode along with its core). A budget of bytes read from dist/bin.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/** Lists every module the process resolves on stderr when it exits, one `loaded <url>` a line. */
const RECORD = [
  "import{registerHooks}from'node:module';const seen=new Set();",
  'registerHooks({resolve(s,c,next){const r=next(s,c);seen.add(r.url);return r;}});',
  "process.on('exit',()=>{for(const u of seen)process.stderr.write('loaded '+u+'\\n');});",
].join('');

/** Bytes of fixloop's bundle a command loads, and any module it loads from node_modules. */
async function loaded(args: string[], env: Record<string, string> = {}, cwd = tempDir()) {
  const run = await runCli(args, {
    cwd,
    env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(RECORD)}`, ...env },
  });
  const urls = [...run.stderr.matchAll(/^loaded (file:\S+)$/gm)].map((m) => m[1] as string);
  const ours = urls.filter((u) => u.includes('/dist/bin/'));
  const texts = ours.map((u) => readFileSync(fileURLToPath(u), 'utf8'));
  return {
    code: run.code,
    chunks: ours.length,
    bytes: texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    bullmq: texts.some((text) => text.includes('node_modules/bullmq/')),
    outside: urls.filter((u) => !ours.includes(u)),
  };
}

it('status and tasks load under 320 KB of the bundle and nothing from node_modules', async () => {
  for (const args of [
    ['status', '--json'],
    ['tasks', '--json'],
  ]) {
    const run = await loaded(args);
    expect(run.chunks, args.join(' ')).toBeGreaterThan(1); // the hook saw the bundle
    expect(run.outside, args.join(' ')).toEqual([]);
    expect(run.bytes, args.join(' ')).toBeLessThan(320_000);
  }
});

it('loads the shared queue (BullMQ) only when QUEUE_URL is set', async () => {
  const plain = await loaded(['tasks', '--json']);
  // A clone with an origin, and nothing listening on port 1: the command loads the queue to ask.
  const cwd = tempDir();
  execFileSync('git', ['init', '-q', cwd]);
  execFileSync('git', ['-C', cwd, 'remote', 'add', 'origin', tempDir()]);
  const shared = await loaded(['tasks', '--json'], { QUEUE_URL: 'redis://127.0.0.1:1' }, cwd);
  expect(shared.code).not.toBe(0);
  expect([plain.bullmq, shared.bullmq]).toEqual([false, true]);
});
