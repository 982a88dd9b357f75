/** `fixloop doctor`: runs every check and answers exit 0 when nothing failed, 1 otherwise. */
import { detectSetups, PER_PACKAGE, runnerLabel } from '../check/detect.js';
import type { Config } from '../config/config.js';
import type { RawEnv } from '../config/env-source.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { type Check, type DoctorReport, fail, ok } from '../doctor/check.js';
import { apiCheck, cliCheck, watchLimitCheck } from '../doctor/environment-checks.js';
import { escalationChecks } from '../doctor/escalation-checks.js';
import { intakeChecks } from '../doctor/intake-checks.js';
import { queueChecks } from '../doctor/queue-checks.js';
import { relatedTestsCheck } from '../doctor/related-check.js';
import { sandboxCheck } from '../doctor/sandbox-check.js';
import { stateChecks } from '../doctor/state-checks.js';
import type { CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

export type { Check, DoctorReport } from '../doctor/check.js';

/** Runs every check; exit 0 when nothing failed, 1 otherwise. */
/** Where the runner runs, when that is not PROJECT_ROOT (a package of a workspace). */
const whereOf = (projectRoot: string) => (cwd: string) =>
  cwd === projectRoot ? '' : `, run from ${cwd}`;

export async function doctor(
  io: { cwd: string; env: RawEnv },
  options: { escalationTest: boolean },
): Promise<CommandResult<DoctorReport>> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(io);
    checks.push(
      ok('configuration', `PROJECT_ROOT=${config.projectRoot}, STATE_FILE=${config.stateFile}`),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      fail(
        'configuration',
        error.problems.join('; '),
        'fix these variables in the environment or .env',
      ),
    );
  }
  if (config) {
    const setups = detectSetups(config.projectRoot, config.test.command);
    const runner = setups.root;
    const where = whereOf(config.projectRoot);
    const perPackage = `${PER_PACKAGE}: the root's test script runs none itself`;
    checks.push(
      runner
        ? ok('test runner', `${runner.runner.name} (${runner.reason})${where(runner.cwd)}`)
        : setups.perPackage
          ? ok('test runner', perPackage)
          : fail(
              'test runner',
              'none detected',
              'set TEST_COMMAND, e.g. TEST_COMMAND="npm test -- {files}"',
            ),
    );
    checks.push(
      await relatedTestsCheck(config.projectRoot, runnerLabel(setups)),
      ...stateChecks(config),
      watchLimitCheck(config.projectRoot),
      sandboxCheck(config),
      await apiCheck(config),
      ...(await cliCheck(config)),
      ...(await escalationChecks(config, options.escalationTest)),
      ...(await intakeChecks(config)),
      ...(await queueChecks(config, Date.now())),
    );
  }
  const good = checks.every((c) => c.status !== 'fail');
  return { data: { ok: good, checks }, exitCode: good ? ExitCode.ok : ExitCode.failure };
}
