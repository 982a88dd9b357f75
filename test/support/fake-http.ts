/** Fake webhook and GitHub servers on 127.0.0.1 with request logs and scripted failures. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { LocalServer, readBody } from './local-server.js';

export interface Logged {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What the next request gets instead of the normal answer. */
export type Fault =
  | { status: number; headers?: Record<string, string> }
  | { hang: true }
  /** Answers 200 at once, then a byte of body every 100 ms, never ending. */
  | { trickle: true };

type Handler = (req: Logged) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

export class FakeHttp extends LocalServer {
  readonly requests: Logged[] = [];
  /** Applied to requests in order, before the handler; empty → the handler answers. */
  readonly faults: Fault[] = [];
  /** Applied to every request (after `faults` runs out) when set. */
  always: Fault | undefined;
  /** Answers being trickled right now (each ends when the client closes its socket). */
  trickling = 0;

  constructor(private readonly handler: Handler) {
    super();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { raw, json } = await readBody(req);
    const body = json === undefined && raw ? raw : json;
    const logged = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      raw,
      body,
    };
    this.requests.push(logged);
    const fault = this.faults.shift() ?? this.always;
    if (fault && 'hang' in fault) return;
    if (fault && 'trickle' in fault) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      this.trickling++;
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => {
        clearInterval(timer);
        this.trickling--;
      });
      return;
    }
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return void res.end(JSON.stringify({ message: `fake ${fault.status}` }));
    }
    const out = this.handler(logged);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(
      out.body === undefined
        ? ''
        : typeof out.body === 'string'
          ? out.body
          : JSON.stringify(out.body),
    );
  }
}

/** A Slack incoming webhook: answers "ok". */
export const slackHandler: Handler = () => ({ status: 200, body: 'ok' });
/** A generic JSON webhook. */
export const emailHandler: Handler = () => ({ status: 202, body: { accepted: true } });

interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  comments: string[];
}

/** Enough of the GitHub REST API for issues: create, list (by label), get, update, comment. */
export class FakeGitHub extends FakeHttp {
  readonly issues: Issue[] = [];

  constructor() {
    super((req) => this.route(req));
  }

  private route(req: Logged) {
    const url = new URL(req.path, 'http://x');
    const m = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+))?(\/comments)?$/.exec(url.pathname);
    if (!m) return { status: 404, body: { message: 'Not Found' } };
    const number = m[3] ? Number(m[3]) : undefined;
    const issue = number ? this.issues.find((i) => i.number === number) : undefined;
    const view = (i: Issue) => ({
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      html_url: `https://github.example/${m[1]}/${m[2]}/issues/${i.number}`,
    });
    if (req.method === 'POST' && !number) {
      const created: Issue = {
        number: this.issues.length + 1,
        title: req.body.title,
        body: req.body.body,
        labels: req.body.labels ?? [],
        state: 'open',
        comments: [],
      };
      this.issues.push(created);
      return { status: 201, body: view(created) };
    }
    if (req.method === 'GET' && !number) {
      const label = url.searchParams.get('labels');
      const state = url.searchParams.get('state') ?? 'open';
      return {
        status: 200,
        body: this.issues
          .filter(
            (i) => (!label || i.labels.includes(label)) && (state === 'all' || i.state === state),
          )
          .map(view),
      };
    }
    if (!issue) return { status: 404, body: { message: 'Not Found' } };
    if (req.method === 'GET') return { status: 200, body: view(issue) };
    if (req.method === 'PATCH') {
      if (req.body.state) issue.state = req.body.state;
      return { status: 200, body: view(issue) };
    }
    if (req.method === 'POST' && m[4]) {
      issue.comments.push(req.body.body);
      return { status: 201, body: { id: issue.comments.length, body: req.body.body } };
    }
    return { status: 405, body: {} };
  }
}

const started: FakeHttp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Starts fake Slack, GitHub and email servers, closed after the test. */
export async function fakeChannels() {
  const slack = await new FakeHttp(slackHandler).start();
  const github = await new FakeGitHub().start();
  const email = await new FakeHttp(emailHandler).start();
  started.push(slack, github, email);
  return { slack, github, email };
}
