/**
 * A fake GitHub REST API for the intake, on 127.0.0.1: issues and pull requests with labels and
 * ETags (304 on If-None-Match), labels, comments, collaborator permissions, pull requests whose
 * head must exist on the real (bare) `origin`, and a token it checks.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { FakeHttp, type Logged } from './fake-http.js';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  pull: boolean;
  comments: FakeComment[];
  /** Bumped by every change, as GitHub's updated_at (the list can be sorted by it). */
  updated: number;
  /** Who opened it. */
  author: string;
  /** Its label events, oldest first (who applied which label). */
  events: Array<{ event: 'labeled'; label: { name: string }; actor: { login: string } }>;
}

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  html_url: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

const etagOf = (value: unknown) =>
  `"${createHash('sha1').update(JSON.stringify(value)).digest('hex')}"`;

/** Answers 304 when the request's If-None-Match is the value's ETag, else 200 with it. */
function conditional(req: Logged, value: unknown): Answer {
  const etag = etagOf(value);
  if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
  return { status: 200, body: value, headers: { etag } };
}

export class FakeGitHubRepo extends FakeHttp {
  readonly issues: FakeIssue[] = [];
  readonly pulls: FakePull[] = [];
  readonly labels = new Map<string, { name: string; color: string }>();
  /** login → permission (admin, write, read…); unknown logins are not collaborators. */
  readonly collaborators: Record<string, string> = { 'repo-owner': 'admin' };
  private nextId = 1000;
  private changes = 0;

  constructor(
    readonly token: string,
    readonly repo: string,
    /** The bare repository pull requests' heads must exist in. */
    private readonly origin: string,
  ) {
    super((req) => this.route(req));
  }

  /**
   * Adds an issue (or a pull request, which the issues endpoint also lists), opened and labelled
   * by `author` (the repository's owner unless said).
   */
  addIssue(title: string, labels: string[], body = '', pull = false, author = 'repo-owner') {
    const number = this.issues.length + 1;
    const events = labels.map((name) => ({
      event: 'labeled' as const,
      label: { name },
      actor: { login: author },
    }));
    const issue: FakeIssue = {
      ...{ number, title, body, labels, pull, comments: [], updated: ++this.changes },
      ...{ author, events },
    };
    this.issues.push(issue);
    return issue;
  }

  /** `actor` applies a label (as in the web UI). */
  label(issue: FakeIssue, name: string, actor: string): void {
    if (!issue.labels.includes(name)) issue.labels.push(name);
    issue.events.push({ event: 'labeled', label: { name }, actor: { login: actor } });
    issue.updated = ++this.changes;
  }

  /** A comment from `login` (a person answering). */
  comment(issue: FakeIssue, login: string, body: string): void {
    const now = new Date().toISOString();
    const id = this.nextId++;
    issue.comments.push({ id, body, user: { login }, created_at: now, updated_at: now });
    issue.updated = ++this.changes;
  }

  /** Removes a label (as a person would in the web UI). */
  unlabel(issue: FakeIssue, name: string): void {
    issue.labels = issue.labels.filter((l) => l !== name);
    issue.updated = ++this.changes;
  }

  /** Requests for the labelled-issues list. */
  get listings(): Logged[] {
    return this.requests.filter((r) => r.method === 'GET' && /\/issues\?/.test(r.path));
  }

  private route(req: Logged): Answer {
    if (req.headers.authorization !== `token ${this.token}`)
      return { status: 401, body: { message: 'Bad credentials' } };
    const url = new URL(req.path, 'http://x');
    const prefix = `/repos/${this.repo}`;
    if (!url.pathname.startsWith(prefix)) return { status: 404, body: { message: 'Not Found' } };
    const path = decodeURIComponent(url.pathname.slice(prefix.length));
    const shape = path
      .replace(/\/\d+/g, '/N')
      .replace(/labels\/.+$/, 'labels/X')
      .replace(/^\/collaborators\/[^/]+\/permission$/, '/collaborators/X');
    const key = `${req.method} ${shape}`;
    const n = Number(/\/(\d+)/.exec(path)?.[1]);
    const issue = this.issues.find((i) => i.number === n);
    switch (key) {
      case 'GET ':
        return {
          status: 200,
          body: { default_branch: 'main', permissions: { push: true, pull: true } },
          headers: { 'x-oauth-scopes': 'repo' },
        };
      case 'GET /issues': {
        // Paged as GitHub does, with a `link` header; If-None-Match applies to the page.
        const all = this.listed(url.searchParams.get('labels'), url.searchParams.get('sort'));
        const size = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const answer = conditional(req, all.slice((page - 1) * size, page * size));
        if (page * size < all.length) {
          url.searchParams.set('page', String(page + 1));
          answer.headers = { ...answer.headers, link: `<${url.href}>; rel="next"` };
        }
        return answer;
      }
      case 'GET /labels/X': {
        const found = this.labels.get(path.slice('/labels/'.length));
        return found ? { status: 200, body: found } : { status: 404, body: {} };
      }
      case 'POST /labels':
        this.labels.set(req.body.name, { name: req.body.name, color: req.body.color });
        return { status: 201, body: req.body };
      case 'GET /collaborators/X': {
        const login = path.split('/')[2] ?? '';
        const permission = this.collaborators[login];
        if (!permission) return { status: 404, body: { message: 'Not a collaborator' } };
        return { status: 200, body: { permission, role_name: permission } };
      }
      case 'PATCH /issues/comments/N': {
        const c = this.issues.flatMap((i) => i.comments).find((x) => x.id === n);
        if (!c) return { status: 404, body: {} };
        c.body = req.body.body;
        c.updated_at = new Date().toISOString();
        return { status: 200, body: c };
      }
      case 'GET /pulls': {
        const head = url.searchParams.get('head')?.split(':')[1];
        return { status: 200, body: this.pulls.filter((p) => p.head === head).map(pullView) };
      }
      case 'POST /pulls':
        return this.openPull(req.body);
    }
    if (!issue) return { status: 404, body: { message: 'Not Found' } };
    switch (key) {
      case 'GET /issues/N/events': {
        const page = Number(url.searchParams.get('page') ?? 1);
        const size = Number(url.searchParams.get('per_page') ?? 30);
        return { status: 200, body: issue.events.slice((page - 1) * size, page * size) };
      }
      case 'GET /issues/N/labels':
        return { status: 200, body: issue.labels.map((name) => ({ name })) };
      case 'POST /issues/N/labels':
        for (const l of req.body.labels)
          if (!issue.labels.includes(l)) this.label(issue, l, 'fixloop-bot');
        return { status: 200, body: issue.labels.map((name) => ({ name })) };
      case 'DELETE /issues/N/labels/X': {
        const name = path.split('/labels/')[1] ?? '';
        if (!issue.labels.includes(name)) return { status: 404, body: {} };
        this.unlabel(issue, name);
        return { status: 200, body: [] };
      }
      case 'GET /issues/N/comments': {
        const since = Date.parse(url.searchParams.get('since') ?? '1970-01-01T00:00:00Z');
        return conditional(
          req,
          issue.comments.filter((c) => Date.parse(c.updated_at) >= since),
        );
      }
      case 'POST /issues/N/comments': {
        this.comment(issue, 'fixloop-bot', req.body.body);
        return { status: 201, body: issue.comments.at(-1) };
      }
    }
    return { status: 405, body: { message: key } };
  }

  private listed(label: string | null, sort: string | null) {
    return this.issues
      .filter((i) => !label || i.labels.includes(label))
      .sort((a, b) => (sort === 'updated' ? b.updated - a.updated : a.number - b.number))
      .map((i) => ({
        number: i.number,
        title: i.title,
        body: i.body,
        labels: i.labels.map((name) => ({ name })),
        user: { login: i.author },
        html_url: `https://github.example/${this.repo}/issues/${i.number}`,
        ...(i.pull ? { pull_request: { url: `https://github.example/pull/${i.number}` } } : {}),
      }));
  }

  private openPull(body: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }) {
    // As GitHub: a pull request needs its head branch on the repository.
    try {
      execFileSync('git', ['rev-parse', '--verify', `refs/heads/${body.head}`], {
        cwd: this.origin,
        stdio: 'ignore',
      });
    } catch {
      return { status: 422, body: { message: `Validation Failed: head ${body.head} not found` } };
    }
    if (this.pulls.some((p) => p.head === body.head))
      return { status: 422, body: { message: 'A pull request already exists' } };
    const number = 100 + this.pulls.length;
    const pull = {
      number,
      head: body.head,
      base: body.base,
      title: body.title,
      body: body.body,
      draft: !!body.draft,
      html_url: `https://github.example/${this.repo}/pull/${number}`,
    };
    this.pulls.push(pull);
    return { status: 201, body: pullView(pull) };
  }
}

const pullView = (p: FakePull) => ({ ...p, head: { ref: p.head }, base: { ref: p.base } });

const started: FakeHttp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Starts a fake GitHub for `repo` (closed after the test). */
export async function fakeGitHubRepo(token: string, repo: string, origin: string) {
  const server = await new FakeGitHubRepo(token, repo, origin).start();
  started.push(server);
  return server;
}
