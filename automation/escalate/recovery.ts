/**
 * A later fixed or clean task for a file comments "recovered" on its open issue (and may close it).
 */
import { isoAt } from '../clock.js';
import type { Task } from '../store/schema.js';
import { DEFAULT_DELIVERY, deliver, describeDeliveryError } from './deliver.js';
import type { EscalatorDeps } from './escalator.js';
import type { GitHubChannel } from './github.js';
import { records } from './records.js';

/** Comments on the newest open issue escalated for the task's file; never throws. */
export async function recoverIssue(
  deps: Pick<EscalatorDeps, 'store' | 'clock' | 'logger' | 'console' | 'closeOnFix' | 'delivery'>,
  github: GitHubChannel,
  task: Task,
): Promise<void> {
  const state = await deps.store.read();
  const open = [...records(state)]
    .reverse()
    .find(
      (r) => r.file === task.file_path && r.github_issue && !r.recovered_at && r.kind !== 'test',
    );
  const issue = open?.github_issue;
  if (!issue) return;
  const how = task.outcome === 'fixed' ? 'fixed' : 'found the tests passing for';
  const text =
    `Recovered: task \`${task.id}\` ${how} \`${task.file_path}\` ` + `at ${task.updated_at}.`;
  try {
    const { value } = await deliver(
      (signal) => github.recover(issue, text, deps.closeOnFix, signal),
      deps.delivery ?? DEFAULT_DELIVERY,
    );
    await deps.store.update((s) => {
      for (const r of records(s))
        if (r.github_issue === open.github_issue) r.recovered_at = isoAt(deps.clock);
    });
    deps.console.line(
      'Escalator',
      `${task.file_path} recovered: issue #${open.github_issue} ${value.action}`,
    );
  } catch (error) {
    deps.logger.warn(
      { issue: open.github_issue, error: describeDeliveryError(error) },
      'recovery comment failed',
    );
  }
}
