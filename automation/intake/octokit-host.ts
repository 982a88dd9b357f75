/** The real IssueHost: GitHub's REST API through @octokit/rest (GITHUB_API_URL for others). */
import type { Octokit } from '@octokit/rest';
import { createOctokit } from '../github/octokit.js';
import { conditional } from './conditional.js';
import { type Failure, wrap } from './errors.js';
import type {
  Conditional,
  IssueComment,
  IssueHost,
  IssueSummary,
  OctokitHostOptions,
} from './github-api.js';

const WRITERS = new Set(['admin', 'maintain', 'write']);
type LabelEvent = { event: string; label?: { name?: string }; actor?: { login?: string } | null };
/** Labelled open issues read at most (100 a page). */
const MAX_PAGES = 10;

export class OctokitHost implements IssueHost {
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;
  private base: string | undefined;

  constructor(options: OctokitHostOptions) {
    this.octokit = createOctokit(options);
    [this.owner = '', this.repo = ''] = options.repo.split('/');
  }

  /** Runs one call, turning its failure into a GitHubApiError about `what`. */
  private async call<T>(what: string, run: (o: { owner: string; repo: string }) => Promise<T>) {
    try {
      return await run({ owner: this.owner, repo: this.repo });
    } catch (error) {
      throw wrap(error, what);
    }
  }

  async listLabelled(label: string, etag?: string): Promise<Conditional<IssueSummary[]>> {
    const what = 'the labelled issues';
    const params = {
      owner: this.owner,
      repo: this.repo,
      labels: label,
      state: 'open' as const,
      // Any change to an issue (a new one, a label added or removed) puts it first, so the
      // first page's ETag stands for the whole list: the rest is read only when it changed.
      sort: 'updated' as const,
      direction: 'desc' as const,
      per_page: 100,
    };
    let link: string | undefined;
    const got = await conditional(what, etag, async (headers) => {
      const res = await this.octokit.rest.issues.listForRepo({ ...params, headers });
      link = res.headers.link;
      return res;
    });
    if (got.unchanged) return got;
    const all = [...got.value];
    for (let page = 2; page <= MAX_PAGES && link?.includes('rel="next"'); page++) {
      const res = await this.call(what, () =>
        this.octokit.rest.issues.listForRepo({ ...params, page }),
      );
      link = res.headers.link;
      all.push(...res.data);
    }
    const issues = all
      .map((i) => ({
        number: i.number,
        title: i.title,
        body: i.body ?? '',
        labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
        url: i.html_url,
        isPull: !!i.pull_request,
        author: i.user?.login ?? '',
      }))
      .sort((a, b) => a.number - b.number); // oldest first
    return { unchanged: false, etag: got.etag, value: issues };
  }

  labelsOf(issue: number): Promise<string[]> {
    return this.call(`the labels of #${issue}`, async (r) => {
      const { data } = await this.octokit.rest.issues.listLabelsOnIssue({
        ...r,
        issue_number: issue,
        per_page: 100,
      });
      return data.map((l) => l.name);
    });
  }

  addLabel(issue: number, name: string): Promise<void> {
    return this.call(`labelling #${issue}`, async (r) => {
      await this.octokit.rest.issues.addLabels({ ...r, issue_number: issue, labels: [name] });
    });
  }

  removeLabel(issue: number, name: string): Promise<void> {
    return this.call(`unlabelling #${issue}`, async (r) => {
      await this.octokit.rest.issues
        .removeLabel({ ...r, issue_number: issue, name })
        .catch((error: Failure) => {
          if (error.status !== 404) throw error;
        });
    });
  }

  ensureLabel(name: string, color: string, description: string): Promise<boolean> {
    return this.call(`the label ${name}`, async (r) => {
      try {
        await this.octokit.rest.issues.getLabel({ ...r, name });
        return false;
      } catch (error) {
        if ((error as Failure).status !== 404) throw error;
      }
      await this.octokit.rest.issues.createLabel({ ...r, name, color, description });
      return true;
    });
  }

  async comments(issue: number, since: string, etag?: string) {
    const got = await conditional(`the comments of #${issue}`, etag, (headers) =>
      this.octokit.rest.issues.listComments({
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        since,
        per_page: 100,
        headers,
      }),
    );
    if (got.unchanged) return got;
    const comments: IssueComment[] = got.value.map((c) => ({
      id: c.id,
      body: c.body ?? '',
      author: c.user?.login ?? '',
      created_at: c.created_at,
    }));
    return { unchanged: false as const, etag: got.etag, value: comments };
  }

  createComment(issue: number, body: string): Promise<number> {
    return this.call(`commenting on #${issue}`, async (r) => {
      const { data } = await this.octokit.rest.issues.createComment({
        ...r,
        issue_number: issue,
        body,
      });
      return data.id;
    });
  }

  updateComment(id: number, body: string): Promise<boolean> {
    return this.call('editing its comment', async (r) => {
      try {
        await this.octokit.rest.issues.updateComment({ ...r, comment_id: id, body });
        return true;
      } catch (error) {
        if ((error as Failure).status === 404) return false;
        throw error;
      }
    });
  }

  labelledBy(issue: number, label: string): Promise<string | undefined> {
    return this.call(`the events of #${issue}`, async (r) => {
      const wanted = label.toLowerCase();
      let actor: string | undefined;
      // Oldest first, 100 a page: the last `labeled` event of the label is the one that counts.
      for (let page = 1; page <= MAX_PAGES; page++) {
        const ask = { ...r, issue_number: issue, per_page: 100, page };
        const events = (await this.octokit.rest.issues.listEvents(ask)).data as LabelEvent[];
        for (const e of events)
          if (e.event === 'labeled' && e.label?.name?.toLowerCase() === wanted)
            actor = e.actor?.login ?? actor;
        if (events.length < 100) break;
      }
      return actor;
    });
  }

  canWrite(login: string): Promise<boolean> {
    return this.call(`the permission of ${login}`, async (r) => {
      try {
        const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
          ...r,
          username: login,
        });
        return WRITERS.has(data.role_name ?? '') || WRITERS.has(data.permission);
      } catch (error) {
        if ((error as Failure).status === 404) return false; // not a collaborator
        throw error;
      }
    });
  }

  /** What the token may do here (doctor): push access, and a classic token's scopes. */
  access(): Promise<{ push: boolean; scopes: string[] | undefined }> {
    return this.call('the repository', async (r) => {
      const { data, headers } = await this.octokit.rest.repos.get(r);
      const scopes = headers['x-oauth-scopes'];
      return {
        push: !!data.permissions?.push,
        scopes: typeof scopes === 'string' ? scopes.split(',').map((x) => x.trim()) : undefined,
      };
    });
  }

  /** Whether the repository has the label (doctor). */
  hasLabel(name: string): Promise<boolean> {
    return this.call(`the label ${name}`, async (r) => {
      try {
        await this.octokit.rest.issues.getLabel({ ...r, name });
        return true;
      } catch (error) {
        if ((error as Failure).status === 404) return false;
        throw error;
      }
    });
  }

  async defaultBranch(): Promise<string> {
    this.base ??= await this.call('the repository', async (r) => {
      const { data } = await this.octokit.rest.repos.get(r);
      return data.default_branch;
    });
    return this.base;
  }

  findPull(branch: string): Promise<string | undefined> {
    return this.call(`the pull request of ${branch}`, async (r) => {
      const { data } = await this.octokit.rest.pulls.list({
        ...r,
        head: `${this.owner}:${branch}`,
        state: 'open', // after a merged or closed one, a new run opens a new one
        per_page: 10,
      });
      return data[0]?.html_url;
    });
  }

  openPull(pull: { branch: string; base: string; title: string; body: string; draft: boolean }) {
    return this.call(`opening a pull request for ${pull.branch}`, async (r) => {
      const { branch: head, ...rest } = pull;
      return (await this.octokit.rest.pulls.create({ ...r, ...rest, head })).data.html_url;
    });
  }
}
