/**
 * The GitHub intake as a daemon service: every GITHUB_POLL_SECONDS it asks for the labelled issues
 * (conditionally: an unchanged answer is free), queues the new ones as work orders, brings the
 * issues in line with their orders (IssueSync), and reads collaborators' answers to questions.
 * Finished, started and waiting orders bring GitHub in line at once. A GitHub that is down or
 * rate-limited is waited for, said once, and never stops the daemon.
 */
import { type Clock, isoAt } from '../clock.js';
import type { Service, TaskObserver } from '../daemon/seams.js';
import { LABELS as ESCALATION_LABELS } from '../escalate/github.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import type { Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { isOwnComment } from './comment.js';
import { GitHubApiError } from './errors.js';
import type { IssueComment, IssueHost, IssueSummary } from './github-api.js';
import { IssueSync, type IssueSyncDeps, issueOnly } from './issue-sync.js';
import {
  answerOrder,
  issueOrders,
  queueIssue,
  STATE_LABELS,
  sourceOf,
  wasReported,
} from './issue-tasks.js';
import { TrustGate } from './trust-gate.js';

export interface GitHubIntakeDeps extends IssueSyncDeps {
  host: IssueHost;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  /** owner/repo, for what the console says. */
  repo: string;
  pollMs: number;
  /** GITHUB_INTAKE_TRUST: who may start a paid run. */
  trust: 'collaborators' | 'anyone';
  /** Aborts the requests under way (called by `stop`). */
  onStop?: () => void;
}

const PERMISSION_TTL_MS = 5 * 60_000;

/** fixloop's own escalation issues (labelled `fixloop` too) are never work orders. */
const isEscalation = (issue: IssueSummary) =>
  issue.labels.includes(ESCALATION_LABELS[1] ?? '') || issue.body.includes('fixloop:fingerprint=');

export class GitHubIntake implements Service, TaskObserver {
  readonly name = 'github';
  private readonly sync: IssueSync;
  private readonly gate: TrustGate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again: { poll: boolean } | undefined;
  private stopped = false;
  private issuesTag: string | undefined;
  private readonly commentTags = new Map<number, string | undefined>();
  private readonly writers = new Map<string, { may: boolean; at: number }>();
  private pausedUntil = 0;
  private problem: string | undefined;

  constructor(private readonly deps: GitHubIntakeDeps) {
    this.sync = new IssueSync(deps);
    const { label } = deps;
    const canWrite = (login: string) => this.canWrite(login);
    this.gate = label ? new TrustGate({ ...deps, label, canWrite }) : undefined;
  }

  async start(): Promise<{ line: string }> {
    this.schedule(0);
    const { label, repo, pollMs } = this.deps;
    if (!label) return { line: '' };
    const every = `looked at every ${pollMs / 1000} s`;
    return { line: `GitHub intake: issues labelled "${label}" in ${repo}, ${every}` };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.deps.onStop?.();
    await this.running?.catch(() => {});
  }

  taskStarted(task: Task): void {
    if (task.type === 'work') void this.pass(false);
  }
  taskFinished(task: Task): void {
    if (task.type === 'work') void this.pass(false);
  }
  taskNeedsInput(task: Task): void {
    if (task.type === 'work') void this.pass(false);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.pass(true);
      const wait = Math.max(this.deps.pollMs, this.pausedUntil - this.deps.clock.now());
      this.schedule(wait);
    }, ms);
  }

  /** One pass at a time; a pass asked for meanwhile runs once after it. */
  private pass(poll: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = { poll: poll || !!this.again?.poll };
      return this.running;
    }
    this.running = (async () => {
      let next: { poll: boolean } | undefined = { poll };
      while (next && !this.stopped) {
        this.again = undefined;
        await this.once(next.poll);
        next = this.again;
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async once(poll: boolean): Promise<void> {
    if (this.deps.clock.now() < this.pausedUntil) return;
    try {
      if (poll && this.deps.label) await this.pollIssues(this.deps.label);
      await this.sync.run();
      if (poll && this.deps.label) await this.readAnswers();
      this.reachable();
    } catch (error) {
      this.unreachable(error);
    }
  }

  /** Queues labelled issues fixloop does not have in hand (never pull requests). */
  private async pollIssues(label: string): Promise<void> {
    const got = await this.deps.host.listLabelled(label, this.issuesTag);
    if (got.unchanged) return;
    // GitHub matches label names without regard to case; so does this.
    const has = (names: readonly string[], wanted: string) =>
      names.some((n) => n.toLowerCase() === wanted.toLowerCase());
    const state = await this.deps.store.read();
    for (const issue of got.value) {
      if (issue.isPull || !has(issue.labels, label) || isEscalation(issue)) continue;
      if (STATE_LABELS.some((l) => has(issue.labels, l))) continue;
      // Run again only if its labels, read directly, agree: a list can lag behind our writes.
      if (wasReported(state, issue.number)) {
        const now = await this.deps.host.labelsOf(issue.number);
        if (STATE_LABELS.some((l) => has(now, l))) continue;
      }
      // Nobody with write access asked for it: no paid run (it waits for an approval).
      if (this.gate && !(await this.gate.admits(issue))) continue;
      const now = isoAt(this.deps.clock);
      const task = await this.deps.store.update((s) => queueIssue(s, issue, now));
      if (!task) continue;
      this.deps.logger.info({ issue: issue.number, task: task.id }, 'issue queued');
      this.deps.console.line('GitHub', `Issue #${issue.number} queued as ${task.id}`);
    }
    // Only once every issue is queued: a failure above asks again next time.
    this.issuesTag = got.etag;
  }

  /** For each issue waiting on a question: the first later comment of a writer answers it. */
  private async readAnswers(): Promise<void> {
    const state = await this.deps.store.read();
    for (const [issue, orders] of issueOrders(state)) {
      const task = orders.at(-1) as Task;
      if (task.status !== 'needs_input' || sourceOf(task)?.synced !== 'needs-input') continue;
      try {
        const tag = this.commentTags.get(issue);
        const got = await this.deps.host.comments(issue, task.updated_at, tag);
        if (got.unchanged) continue;
        await this.answerFrom(issue, task, got.value);
        // Only once read: a failure above reads these comments again next time.
        this.commentTags.set(issue, got.etag);
      } catch (error) {
        // An issue deleted or moved must not keep the others' answers from being read.
        if (!issueOnly(error)) throw error;
        this.deps.logger.warn({ issue, err: error }, 'answers of the issue not read');
      }
    }
  }

  /** The first comment after the question from someone with write access answers it. */
  private async answerFrom(issue: number, task: Task, comments: readonly IssueComment[]) {
    const asked = Date.parse(task.updated_at);
    for (const c of comments) {
      if (isOwnComment(c.body) || Date.parse(c.created_at) <= asked) continue;
      if (!(await this.canWrite(c.author))) {
        this.deps.logger.info({ issue, author: c.author }, 'comment ignored: no write access');
        continue;
      }
      const now = isoAt(this.deps.clock);
      const answer = { text: c.body.trim(), author: c.author };
      if (await this.deps.store.update((s) => answerOrder(s, task.id, answer, now)))
        this.deps.console.line(
          'GitHub',
          `Issue #${issue}: ${c.author} answered; ${task.id} goes on`,
        );
      return;
    }
  }

  /** Write access, asked again after PERMISSION_TTL_MS (it may be granted or taken away). */
  private async canWrite(login: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const known = this.writers.get(login);
    if (known && now - known.at < PERMISSION_TTL_MS) return known.may;
    const may = await this.deps.host.canWrite(login);
    this.writers.set(login, { may, at: now });
    return may;
  }

  private unreachable(error: unknown): void {
    const { console: out, logger, clock } = this.deps;
    logger.warn({ err: error }, 'GitHub intake pass failed');
    const wait = error instanceof GitHubApiError ? error.waitMs : undefined;
    if (wait !== undefined) this.pausedUntil = clock.now() + wait;
    const message = (error as Error).message;
    if (message === this.problem) return;
    this.problem = message;
    const again =
      wait !== undefined
        ? `waiting ${Math.ceil(wait / 1000)} s as GitHub asked`
        : `trying again in ${this.deps.pollMs / 1000} s`;
    out.line('GitHub', out.style.yellow(`${message}; ${again}`));
  }

  private reachable(): void {
    if (!this.problem) return;
    this.problem = undefined;
    this.deps.console.line('GitHub', 'GitHub answers again; intake goes on');
  }
}
