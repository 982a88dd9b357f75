/**
 * A monorepo whose root script hands the tests to its packages (`turbo run test`): each file is
 * tested by its package's runner, and the daemon, its health check and `doctor` say so rather
 * than "no test runner detected".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups, PER_PACKAGE } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { runnerProbe } from '../../automation/daemon/vitals.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/** A turbo monorepo: packages/app on vitest, packages/docs with no tests. */
function turboRepo(): string {
  const root = tempDir();
  const json = (file: string, value: object) =>
    writeFileSync(join(root, file), JSON.stringify(value));
  json('package.json', {
    private: true,
    workspaces: ['packages/*'],
    scripts: { test: 'turbo run test' },
  });
  json('turbo.json', { tasks: { test: {} } });
  for (const dir of ['packages/app/src', 'packages/docs'])
    mkdirSync(join(root, dir), { recursive: true });
  json('packages/app/package.json', {
    scripts: { test: 'vitest run' },
    devDependencies: { vitest: '5' },
  });
  json('packages/docs/package.json', { name: 'docs' });
  return root;
}

const checker = (root: string) =>
  new Checker({
    root,
    setups: detectSetups(root, undefined),
    processRunner: nodeProcessRunner,
    timeoutMs: 10_000,
    env: {},
  });

it('tests each file with its package’s runner, and says so', async () => {
  const root = turboRepo();
  const setups = detectSetups(root, undefined);
  expect(setups.root).toBeUndefined();
  expect(setups.perPackage).toBe(true);
  expect(setups.forFile('packages/app/src/a.ts')).toMatchObject({
    runner: { name: 'vitest' },
    cwd: join(root, 'packages/app'),
  });
  expect(setups.forFile('packages/docs/readme.md')).toBeUndefined();
  const name = checker(root).runnerName;
  expect(name).toBe(PER_PACKAGE);
  expect(await runnerProbe(name).check()).toBeNull(); // the health check passes

  const run = await runCli(['doctor', '--json'], { cwd: root, env: {} });
  const checks: Array<{ name: string; status: string; detail: string }> = JSON.parse(
    run.stdout,
  ).checks;
  expect(checks.find((c) => c.name === 'test runner')).toMatchObject({
    status: 'ok',
    detail: "each package's own: the root's test script runs none itself",
  });
}, 30_000);

it('still says none is detected in a folder that is no monorepo', async () => {
  const root = tempDir();
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ scripts: { test: 'turbo run test' } }),
  );
  const setups = detectSetups(root, undefined);
  expect([setups.root, setups.perPackage]).toEqual([undefined, false]);
  expect(checker(root).runnerName).toBeUndefined();
  expect(await runnerProbe(undefined).check()).toMatch(/no test runner detected/);
});
