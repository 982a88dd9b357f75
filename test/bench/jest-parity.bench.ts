/**
 * Save → verdict on a jest project: the developer's own `jest --watch` beside fixloop with its
 * defaults (0.2 s debounce, warm jest runner), measured one after the other in the same run, on
 * one generated project of 60 modules and test files, for jest 29 and jest 30; plus cold versus
 * warm check time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { warmChildScript } from '../../automation/app/checker.js';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { WarmRunners } from '../../automation/check/warm/warm-runners.js';
import { silentLogger } from '../../automation/log/logger.js';
import { commitAll } from '../support/git.js';
import { type JestMajor, linkModules } from '../support/project.js';
import { tempDir } from '../support/tmp.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, median, report, sleep } from './support.js';

const MODULES = 60;
const SAVES = 9;
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

/** 60 CommonJS modules and their tests; every fifth starts a chain of four importers. */
function project(jest: JestMajor): string {
  const root = tempDir(`fixloop-bench-jest${jest}-`);
  const write = (rel: string, text: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const pkg = { name: 'gen', private: true, scripts: { test: 'jest' } };
  write('package.json', JSON.stringify({ ...pkg, jest: { testEnvironment: 'node' } }));
  // Prints when a watch-mode run ends, so the bench sees the verdict's moment.
  write(
    'verdict-reporter.js',
    "module.exports = class { onRunComplete() { process.stdout.write('VERDICT ' + Date.now() + '\\n'); } };\n",
  );
  for (let i = 0; i < MODULES; i++) {
    const chained = i % 5 !== 0;
    write(
      `src/m${i}.js`,
      `${chained ? `const { f${i - 1} } = require('./m${i - 1}');\n` : ''}` +
        `function f${i}(n) {\n  return ${chained ? `f${i - 1}(n)` : 'n'} + 1;\n}\n` +
        `module.exports = { f${i} };\n`,
    );
    write(
      `__tests__/m${i}.test.js`,
      `const { f${i} } = require('../src/m${i}');\n` +
        `test('m${i}', () => expect(f${i}(0)).toBe(${(i % 5) + 1}));\n`,
    );
  }
  commitAll(root); // `jest --watch` runs the tests of uncommitted changes: it needs git
  linkModules(join(root, 'node_modules'), jest);
  return root;
}

/**
 * The saves measured: m12 (its test and its 2 importers' tests: jest --watch runs them in
 * workers) and m14, the end of its chain (one test file: jest --watch runs it in band).
 */
const TARGETS = [
  { file: 'src/m12.js', tests: 3 },
  { file: 'src/m14.js', tests: 1 },
];

/** The save each round makes: `file`'s body, one way or the other. */
const save = (root: string, file: string, n: number) =>
  writeFileSync(
    join(root, file),
    readFileSync(join(root, file), 'utf8').replace(/ \+ 1;( \/\/ \d+)?/, ` + 1; // ${n}`),
  );

async function jestWatch(root: string, file: string): Promise<number[]> {
  const child: ChildProcess = spawn(
    join(root, 'node_modules/.bin/jest'),
    ['--watch', '--reporters=default', '--reporters=./verdict-reporter.js'],
    { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const verdicts: number[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/VERDICT (\d+)/g)) verdicts.push(Number(m[1]));
  });
  const next = async (count: number) => {
    while (verdicts.length < count) await sleep(5);
    return verdicts[count - 1] as number;
  };
  // Nothing has changed since the commit yet: the first save is the first run (not timed).
  const times: number[] = [];
  for (let i = 0; i < SAVES + 1; i++) {
    await sleep(i === 0 ? 2000 : 300);
    const t0 = Date.now();
    save(root, file, i);
    const at = (await next(verdicts.length + 1)) - t0;
    if (i > 0) times.push(at);
  }
  child.kill('SIGKILL');
  return times;
}

async function fixloop(root: string, file: string): Promise<number[]> {
  const d = await benchDaemon(root, { HEARTBEAT_INTERVAL_SECONDS: '30' });
  const times: number[] = [];
  for (let i = 0; i < SAVES + 1; i++) {
    await sleep(300);
    const t0 = performance.now();
    save(root, file, 100 + i);
    const at = await d.waitLine(/is clean: |tests failed/, t0);
    if (i > 0) times.push(at - t0); // the first check also starts the runner, if not yet ready
  }
  await d.stop();
  return times;
}

async function checks(root: string, file: string) {
  const warm = new WarmRunners({
    env: { ...env, CI: 'true' },
    script: warmChildScript(),
    maxRssBytes: 2 ** 31,
    logger: silentLogger,
  });
  const make = (w?: WarmRunners) =>
    new Checker({
      root,
      setups: detectSetups(root, undefined),
      processRunner: nodeProcessRunner,
      timeoutMs: 120_000,
      env: { ...env, CI: 'true' },
      ...(w ? { warm: w } : {}),
    });
  const [cold, hot] = [make(), make(warm)];
  const target = { scope: 'related' as const, files: [file] };
  await hot.check(target);
  const c: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < 7; i++) {
    save(root, file, 200 + i);
    let t0 = performance.now();
    await cold.check(target);
    c.push(performance.now() - t0);
    t0 = performance.now();
    await hot.check(target);
    h.push(performance.now() - t0);
  }
  await warm.close();
  return { cold: median(c), warm: median(h) };
}

it.each([29, 30] as JestMajor[])('save → verdict: jest %i --watch beside fixloop', async (jest) => {
  const rows: string[][] = [];
  for (const { file, tests } of TARGETS) {
    const root = project(jest); // a project each: `jest --watch` runs every uncommitted change
    const w = median(await jestWatch(root, file));
    const f = median(await fixloop(root, file));
    const check = await checks(root, file);
    const ratio = (n: number, of: number) => `${fmt(n / of, 2)}×`;
    rows.push(
      [
        `${file} (${tests} test file${tests > 1 ? 's' : ''}): \`jest --watch\` run ends`,
        fmt(w, 0),
        '1.00',
      ],
      ['fixloop, defaults: save → verdict recorded', fmt(f, 0), ratio(f, w)],
      ['one check, cold `jest --findRelatedTests`', fmt(check.cold, 0), ''],
      ['the same check, warm runner', fmt(check.warm, 0), ratio(check.warm, check.cold)],
    );
  }
  report(
    `Save → verdict, jest ${jest}, ${MODULES} modules and test files (${machine()})`,
    ['measure', 'median ms', 'ratio'],
    rows,
    [
      `${SAVES} saves each (median): jest --watch, then fixloop (debounce 0.2 s), a project each.`,
      '7 checks each, cold and warm alternating.',
      'Target: fixloop ≤ 1.3 × jest --watch.',
    ],
  );
});
