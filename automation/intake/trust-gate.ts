/**
 * Who may start a paid run (CONTRACT.md §6, GITHUB_INTAKE_TRUST): with `collaborators`, a labelled
 * issue becomes a work order only if its author, or whoever applied the intake label last (the
 * issue's events), may push to the repository, or one who may comments `/fixloop approve`.
 * Otherwise it is labelled `fixloop:needs-approval` with a comment saying so, and no model is
 * called; applying the label again or the approval starts it. `anyone` turns the gate off.
 */
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import { commentMarker, isOwnComment } from './comment.js';
import type { IssueHost, IssueSummary } from './github-api.js';

/** The label of an issue that waits for a collaborator's approval. */
export const NEEDS_APPROVAL = 'fixloop:needs-approval';

/** A comment that approves the issue's run (from someone with write access). */
const APPROVE = /^\s*\/fixloop\s+approve\b/im;

export interface TrustGateDeps {
  host: IssueHost;
  /** Write access, cached (see GitHubIntake). */
  canWrite: (login: string) => Promise<boolean>;
  label: string;
  trust: 'collaborators' | 'anyone';
  console: DaemonConsole;
  logger: Logger;
}

export class TrustGate {
  constructor(private readonly deps: TrustGateDeps) {}

  /** Whether `issue` may become a work order now; when not, it is marked as waiting (once). */
  async admits(issue: IssueSummary): Promise<boolean> {
    if (this.deps.trust === 'anyone') return true;
    const waiting = issue.labels.some((l) => l.toLowerCase() === NEEDS_APPROVAL);
    const by = await this.approver(issue);
    if (by) {
      if (waiting) await this.deps.host.removeLabel(issue.number, NEEDS_APPROVAL);
      if (waiting) this.deps.console.line('GitHub', `Issue #${issue.number} approved by ${by}`);
      return true;
    }
    if (!waiting) await this.hold(issue);
    return false;
  }

  /** Who with write access asked for this run: the author, the labeller, or an approver. */
  private async approver(issue: IssueSummary): Promise<string | undefined> {
    const { host, canWrite } = this.deps;
    if (issue.author && (await canWrite(issue.author))) return issue.author;
    const labeller = await host.labelledBy(issue.number, this.deps.label);
    if (labeller && labeller !== issue.author && (await canWrite(labeller))) return labeller;
    const comments = await host.comments(issue.number, '1970-01-01T00:00:00Z');
    if (comments.unchanged) return undefined;
    for (const c of comments.value)
      if (!isOwnComment(c.body) && APPROVE.test(c.body) && (await canWrite(c.author)))
        return c.author;
    return undefined;
  }

  /** Labels the issue as waiting and says why in fixloop's one comment on it. */
  private async hold(issue: IssueSummary): Promise<void> {
    const { host } = this.deps;
    await host.addLabel(issue.number, NEEDS_APPROVAL);
    const body = [
      '🔒 **Waiting for approval**: fixloop starts work on a labelled issue only when its author ' +
        `or whoever applied the \`${this.deps.label}\` label can push to this repository.`,
      '',
      `A collaborator with write access can start it by applying \`${this.deps.label}\` again, ` +
        'or by commenting `/fixloop approve`.',
      '',
      '<sub>fixloop</sub>',
      commentMarker(issue.number),
    ].join('\n');
    await host.createComment(issue.number, body);
    this.deps.logger.info({ issue: issue.number, author: issue.author }, 'issue needs approval');
    this.deps.console.line(
      'GitHub',
      `Issue #${issue.number} waits for approval: nobody with write access asked for it`,
    );
  }
}
