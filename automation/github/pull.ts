/**
 * A shared-queue order's pull request, opened by the worker that delivered its branch: found by
 * the branch first, so a rerun never opens a second. Orders from GitHub issues are left to the
 * daemon's intake, whose pull request says `Fixes #N`.
 */

import { pullBody } from '../intake/comment.js';
import type { IssueHost } from '../intake/github-api.js';
import { redact } from '../redact.js';
import type { Task } from '../store/schema.js';

/** `record` with its pull request (or why it could not be opened), when one is wanted. */
export async function withPull(
  host: Pick<IssueHost, 'findPull' | 'openPull' | 'defaultBranch'>,
  record: Task,
  options: { draft: boolean; secrets: readonly string[] },
): Promise<Task> {
  const result = record.result;
  if (record.outcome !== 'done' || !result?.pr_wanted || result.pr_url) return record;
  if (record.source?.kind === 'github') return record;
  try {
    const branch = result.branch;
    const found = await host.findPull(branch);
    const title = redact(
      record.description.split('\n')[0]?.slice(0, 200) || record.id,
      options.secrets,
    );
    const url =
      found ??
      (await host.openPull({
        branch,
        base: await host.defaultBranch(),
        title,
        body: pullBody({ task: record }, options.secrets),
        draft: options.draft,
      }));
    return { ...record, result: { ...result, pr_url: url } };
  } catch (error) {
    const pr_error = `could not be opened: ${(error as Error).message}`;
    return { ...record, result: { ...result, pr_error } };
  }
}
