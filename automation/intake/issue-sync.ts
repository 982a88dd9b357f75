/**
 * Brings GitHub in line with the state: for each issue, the labels, the one comment and the pull
 * request of its latest work order; the retry of a failed order; pull requests of other pushed
 * orders. Driven by the state (what was last written is recorded in the task), so a pass after a
 * crash or a restart writes only what is missing, and never twice.
 */
import { type Clock, isoAt } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import { redact } from '../redact.js';
import type { Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { findTask } from '../tasks/queue.js';
import { branchOf } from '../work/deliver.js';
import { commentBody, commentMarker, pullBody } from './comment.js';
import { GitHubApiError } from './errors.js';
import type { IssueHost } from './github-api.js';
import {
  issueOrders,
  labelOf,
  markSynced,
  type Phase,
  phaseOf,
  queueRetry,
  retryable,
  STATE_LABELS,
  sourceOf,
} from './issue-tasks.js';
import { NEEDS_APPROVAL } from './trust-gate.js';

export interface IssueSyncDeps {
  host: IssueHost;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  /** The intake label (created with the state labels); undefined: pull requests only. */
  label: string | undefined;
  maxAttempts: number;
  prDraft: boolean;
  secrets: readonly string[];
}

const COLORS: Record<string, string> = {
  'fixloop:queued': 'c5def5',
  'fixloop:in-progress': 'fbca04',
  'fixloop:needs-input': 'd876e3',
  'fixloop:done': '0e8a16',
  'fixloop:failed': 'b60205',
};

/**
 * A failure of one issue (gone, moved, refused as invalid); anything else (GitHub down, a bad
 * token, a rate limit with or without headers) concerns every call and is waited out.
 */
export const issueOnly = (e: unknown) =>
  e instanceof GitHubApiError && [404, 410, 422].includes(e.status ?? 0);
const global = (e: unknown) => !issueOnly(e);

export class IssueSync {
  private readonly commentIds = new Map<number, number>();
  private labelsReady = false;

  constructor(private readonly deps: IssueSyncDeps) {}

  /** One pass; throws a GitHubApiError that concerns every call (the caller waits and retries). */
  async run(): Promise<void> {
    if (this.deps.label) await this.ensureLabels(this.deps.label);
    await this.retryFailed();
    const state = await this.deps.store.read();
    for (const [issue, orders] of issueOrders(state)) {
      const latest = orders.at(-1) as Task;
      const phase = phaseOf(latest);
      if (sourceOf(latest)?.synced === phase || retryable(latest, this.deps.maxAttempts)) continue;
      await this.isolated(issue, latest, phase, () => this.syncIssue(issue, orders, phase));
    }
    for (const task of state.queues.completed)
      if (!sourceOf(task) && wantsPull(task)) await this.orderPull(task);
  }

  /** Runs one issue's sync; a failure of that issue alone is recorded and not tried again. */
  private async isolated(issue: number, task: Task, phase: Phase, run: () => Promise<void>) {
    try {
      await run();
    } catch (error) {
      if (global(error)) throw error;
      const why = (error as Error).message;
      this.deps.logger.warn({ issue, task: task.id, err: error }, 'issue not updated on GitHub');
      this.deps.console.line('GitHub', `Could not update issue #${issue}: ${why}`);
      await this.deps.store.update((s) => markSynced(s, task.id, phase));
    }
  }

  private async ensureLabels(intake: string): Promise<void> {
    if (this.labelsReady) return;
    const wanted: Array<[string, string, string]> = [
      [intake, '1d76db', 'fixloop turns issues with this label into work orders'],
      [NEEDS_APPROVAL, 'e99695', 'fixloop waits for a collaborator to approve this issue'],
      ...STATE_LABELS.map((l): [string, string, string] => [l, COLORS[l] ?? 'ededed', 'fixloop']),
    ];
    const created: string[] = [];
    for (const [name, color, description] of wanted)
      if (await this.deps.host.ensureLabel(name, color, description)) created.push(name);
    if (created.length) this.deps.console.line('GitHub', `Created labels: ${created.join(', ')}`);
    this.labelsReady = true;
  }

  /** Queues the next order of each issue whose latest order failed with attempts left. */
  private async retryFailed(): Promise<void> {
    const state = await this.deps.store.read();
    for (const [issue, orders] of issueOrders(state)) {
      const latest = orders.at(-1) as Task;
      if (!retryable(latest, this.deps.maxAttempts)) continue;
      const now = isoAt(this.deps.clock);
      const next = await this.deps.store.update((s) => queueRetry(s, latest.id, now));
      if (next)
        this.deps.console.line(
          'GitHub',
          `Issue #${issue}: ${latest.id} failed; trying again as ${next.id} ` +
            `(attempt ${sourceOf(next)?.attempt} of ${this.deps.maxAttempts})`,
        );
    }
  }

  private async syncIssue(issue: number, orders: Task[], phase: Phase): Promise<void> {
    const { host, secrets } = this.deps;
    const task = orders.at(-1) as Task;
    const source = sourceOf(task);
    if (!source) return;
    const pull = phase === 'done' ? await this.pullOf(task, issue) : {};
    const earlier = orders.at(-2);
    const view = {
      issue,
      phase,
      task,
      attempt: source.attempt,
      maxAttempts: Math.max(this.deps.maxAttempts, source.attempt),
      branch: branchOf(task),
      prUrl: pull.url ?? pull.error,
      earlierFailure:
        earlier && sourceOf(earlier)?.retried === task.id
          ? (earlier.error ?? undefined)
          : undefined,
    };
    await this.upsertComment(issue, commentBody(view, secrets));
    // Label names match without regard to case, as on GitHub.
    const want = labelOf(phase);
    const have = await host.labelsOf(issue);
    if (!have.some((l) => l.toLowerCase() === want)) await host.addLabel(issue, want);
    for (const name of have)
      if (STATE_LABELS.includes(name.toLowerCase()) && name.toLowerCase() !== want)
        await host.removeLabel(issue, name);
    await this.deps.store.update((s) => {
      markSynced(s, task.id, phase, pull.url);
      recordPull(s, task.id, pull);
    });
    const link = pull.url ? `, ${pull.url}` : '';
    this.deps.console.line('GitHub', `Issue #${issue}: ${phase}${link}`);
  }

  /** The pull request of a done order: found by its branch, else opened (once). */
  private async pullOf(task: Task, issue?: number): Promise<{ url?: string; error?: string }> {
    if (task.result?.pr_url) return { url: task.result.pr_url };
    if (!wantsPull(task)) return {};
    const { host } = this.deps;
    const branch = branchOf(task);
    try {
      const found = await host.findPull(branch);
      if (found) return { url: found };
      const first = task.description.split('\n')[0]?.slice(0, 200) || `fixloop ${task.id}`;
      const title = redact(first, this.deps.secrets);
      const body = pullBody({ issue, task }, this.deps.secrets);
      const base = await host.defaultBranch();
      const url = await host.openPull({ branch, base, title, body, draft: this.deps.prDraft });
      return { url };
    } catch (error) {
      if (global(error)) throw error;
      return { error: `could not be opened: ${(error as Error).message}` };
    }
  }

  /** A pushed order that did not come from an issue: its pull request. */
  private async orderPull(task: Task): Promise<void> {
    const pull = await this.pullOf(task);
    await this.deps.store.update((s) => recordPull(s, task.id, pull));
    const said = pull.url ? `pull request ${pull.url}` : `no pull request: ${pull.error}`;
    this.deps.console.line('GitHub', `${task.id}: ${said}`);
  }

  /** Edits fixloop's comment on the issue, or writes it (found by its marker after a restart). */
  private async upsertComment(issue: number, body: string): Promise<void> {
    const { host } = this.deps;
    let id = this.commentIds.get(issue);
    if (id === undefined) {
      const all = await host.comments(issue, '1970-01-01T00:00:00Z');
      const mine = all.unchanged
        ? undefined
        : all.value.find((c) => c.body.includes(commentMarker(issue)));
      id = mine?.id;
    }
    if (id === undefined || !(await host.updateComment(id, body)))
      id = await host.createComment(issue, body);
    this.commentIds.set(issue, id);
  }
}

/** A done order whose branch was pushed to a GitHub repository and has no pull request yet. */
const wantsPull = (task: Task) =>
  task.outcome === 'done' &&
  !!task.result?.pr_wanted &&
  !task.result.pr_url &&
  !task.result.pr_error;

function recordPull(
  state: Parameters<typeof markSynced>[0],
  id: string,
  pull: { url?: string; error?: string },
) {
  const result = findTask(state, id)?.task.result;
  if (!result) return;
  if (pull.url) result.pr_url = pull.url;
  if (pull.error) result.pr_error = pull.error;
}
