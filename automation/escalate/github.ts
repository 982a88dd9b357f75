/**
 * GitHub channel: one issue per failure fingerprint (labelled), comments for repeats and
 * recoveries.
 */
import type { Octokit } from '@octokit/rest';
import { createOctokit } from '../github/octokit.js';
import { DeliveryError, retryAfterMs } from './deliver.js';
import type { EscalationEvent } from './event.js';

export const LABELS = ['fixloop', 'autofix-failure'];

/** The hidden marker that ties an issue to a fingerprint. */
export const marker = (fingerprint: string) => `<!-- fixloop:fingerprint=${fingerprint} -->`;

/** Markdown body of a new issue (or of a repeat comment). */
export function issueBody(e: EscalationEvent): string {
  const lines = [
    `**${e.kind.replace('_', ' ')}** in \`${e.project}\`${e.file ? ` — \`${e.file}\`` : ''}`,
    '',
    e.reason,
    '',
    `- Task: \`${e.task_id ?? '—'}\` (${e.attempts} attempt${e.attempts === 1 ? '' : 's'})`,
    `- Host: ${e.host}, at ${e.created_at}`,
  ];
  if (e.retry_command) lines.push(`- Next step: \`${e.retry_command}\``);
  if (e.failing_test)
    lines.push(
      '',
      `Failing test: **${e.failing_test.name}**` +
        (e.failing_test.location ? ` at \`${e.failing_test.location}\`` : ''),
      '```',
      (e.failing_test.excerpt || e.failing_test.message).slice(0, 3000),
      '```',
    );
  lines.push('', marker(e.fingerprint));
  return lines.join('\n');
}

function wrap(error: unknown): DeliveryError {
  const e = error as {
    status?: number;
    response?: { headers?: Record<string, string> };
    message?: string;
    cause?: { code?: string };
  };
  if (e.status)
    return new DeliveryError(
      `GitHub answered HTTP ${e.status}`,
      e.status,
      retryAfterMs(e.response?.headers?.['retry-after']),
    );
  const code = e.cause?.code;
  return new DeliveryError(
    code === 'ECONNREFUSED' ? 'connection refused' : (e.message ?? String(error)),
  );
}

export class GitHubChannel {
  readonly name = 'github';
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;

  constructor(options: { token: string; repo: string; apiUrl: string }) {
    // Each send also carries the escalator's own time limit (its request signal).
    this.octokit = createOctokit(options);
    [this.owner = '', this.repo = ''] = options.repo.split('/');
  }

  /**
   * An open issue for this fingerprint: the known number if still open, else found by label and
   * marker.
   */
  private async findOpen(
    fingerprint: string,
    known: number | undefined,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const { owner, repo } = this;
    if (known) {
      const { data } = await this.octokit.rest.issues.get({
        owner,
        repo,
        issue_number: known,
        request: { signal },
      });
      if (data.state === 'open') return known;
    }
    const { data } = await this.octokit.rest.issues.listForRepo({
      owner,
      repo,
      labels: LABELS[0],
      state: 'open',
      per_page: 100,
      request: { signal },
    });
    return data.find((i) => i.body?.includes(marker(fingerprint)))?.number;
  }

  /** Creates the issue, or comments on the open one for the same fingerprint. */
  async send(
    e: EscalationEvent,
    signal: AbortSignal,
    known?: number,
  ): Promise<Record<string, unknown>> {
    const { owner, repo } = this;
    try {
      const open = await this.findOpen(e.fingerprint, known, signal);
      if (open) {
        await this.octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: open,
          body: `Happened again (${e.repeat_count + 1}×).\n\n${issueBody(e)}`,
          request: { signal },
        });
        return { action: 'commented', issue_number: open };
      }
      const { data } = await this.octokit.rest.issues.create({
        owner,
        repo,
        title: e.title.slice(0, 250),
        body: issueBody(e),
        labels: LABELS,
        request: { signal },
      });
      return { action: 'created', issue_number: data.number, url: data.html_url };
    } catch (error) {
      throw wrap(error);
    }
  }

  /** Comments that the file recovered, and closes the issue when asked to. */
  async recover(
    issue: number,
    text: string,
    close: boolean,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { owner, repo } = this;
    try {
      await this.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issue,
        body: text,
        request: { signal },
      });
      if (close)
        await this.octokit.rest.issues.update({
          owner,
          repo,
          issue_number: issue,
          state: 'closed',
          state_reason: 'completed',
          request: { signal },
        });
      return { action: close ? 'closed' : 'commented', issue_number: issue };
    } catch (error) {
      throw wrap(error);
    }
  }
}
