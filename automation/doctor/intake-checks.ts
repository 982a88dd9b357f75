/**
 * Doctor checks of the GitHub intake: what the token may do in GITHUB_REPO, the intake label, and
 * whether `origin` (where branches are pushed) answers.
 */

import type { Config } from '../config/config.js';
import { createGit } from '../git/git.js';
import { OctokitHost } from '../intake/octokit-host.js';
import { type Check, fail, ok, skip, warn } from './check.js';

/** Whether git reaches `origin` from `root`: null when it does, else git's complaint. */
async function originProblem(config: Config): Promise<string | null> {
  const git = createGit(config.childEnv);
  const run = await git.run(['ls-remote', '--heads', 'origin'], {
    cwd: config.projectRoot,
    timeoutMs: 20_000,
  });
  return run.code === 0 ? null : run.stderr.trim().split('\n').at(-1) || `exit ${run.code}`;
}

/** The intake's checks; skipped when GITHUB_INTAKE_LABEL is unset. */
export async function intakeChecks(config: Config): Promise<Check[]> {
  const label = config.intake.label;
  const { githubToken: token, githubRepo: repo, githubApiUrl: apiUrl } = config.escalation;
  if (!label || !token || !repo)
    return [skip('GitHub intake', 'off (set GITHUB_INTAKE_LABEL to take labelled issues)')];
  const host = new OctokitHost({ token, repo, apiUrl, timeoutMs: 15_000 });
  const checks: Check[] = [];
  try {
    const access = await host.access();
    const scoped = !access.scopes || access.scopes.some((s) => s === 'repo' || s === 'public_repo');
    checks.push(
      access.push && scoped
        ? ok(
            'GitHub token',
            `may push to ${repo}${access.scopes ? ` (scopes: ${access.scopes.join(', ')})` : ''}`,
          )
        : fail(
            'GitHub token',
            access.push
              ? `scopes ${access.scopes?.join(', ')} lack repo`
              : `cannot push to ${repo}`,
            'give GITHUB_TOKEN write access to contents, issues and pull requests ' +
              '(a classic token: the repo scope)',
          ),
    );
    checks.push(
      (await host.hasLabel(label))
        ? ok('GitHub intake label', `"${label}" exists in ${repo}`)
        : warn(
            'GitHub intake label',
            `"${label}" does not exist in ${repo} yet`,
            'the daemon creates it (and the fixloop:* labels) when it starts',
          ),
    );
  } catch (error) {
    checks.push(
      fail(
        'GitHub token',
        (error as Error).message,
        'check GITHUB_TOKEN, GITHUB_REPO and GITHUB_API_URL',
      ),
    );
  }
  const problem = await originProblem(config);
  checks.push(
    problem
      ? fail('git origin', `not reachable: ${problem}`, 'add a remote named origin you can push to')
      : ok('git origin', 'reachable (branches of work orders are pushed there)'),
  );
  return checks;
}
