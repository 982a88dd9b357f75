/**
 * Builds the GitHub service when GitHub is configured: labelled issues become work orders
 * (GITHUB_INTAKE_LABEL), and pushed work orders get their pull request.
 */
import type { CoreDeps } from '../daemon/seams.js';
import { repositoryOf } from '../git/repository.js';
import { GitHubIntake } from '../intake/github-intake.js';
import { OctokitHost } from '../intake/octokit-host.js';

/**
 * The GitHub intake for `config`, or undefined without GITHUB_TOKEN and GITHUB_REPO. `noWork`:
 * why this daemon cannot carry out work orders (no model…): then no issue is taken, since each
 * would only fail.
 */
export function buildGitHubIntake(
  deps: Pick<CoreDeps, 'config' | 'store' | 'clock' | 'logger' | 'console'>,
  noWork: string | undefined,
): GitHubIntake | undefined {
  const { config } = deps;
  const { githubToken: token, githubRepo: repo, githubApiUrl: apiUrl } = config.escalation;
  if (!token || !repo) return undefined;
  const why = noWork ?? (repositoryOf(config.projectRoot) ? undefined : 'no git repository');
  if (why && config.intake.label)
    deps.console.line(
      'GitHub',
      `GitHub intake off: issues are not taken, work orders cannot run (${why})`,
    );
  const stopping = new AbortController();
  return new GitHubIntake({
    ...deps,
    host: new OctokitHost({
      token,
      repo,
      apiUrl,
      log: (message) => deps.logger.debug({ github: message }, 'GitHub request'),
      signal: stopping.signal,
    }),
    onStop: () => stopping.abort(),
    repo,
    label: why ? undefined : config.intake.label,
    pollMs: config.intake.pollMs,
    maxAttempts: config.intake.maxAttempts,
    trust: config.intake.trust,
    prDraft: config.work.prDraft,
    secrets: config.secrets,
  });
}
