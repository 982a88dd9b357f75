/**
 * What the intake needs of GitHub, as a narrow interface (issues, labels, comments, permissions,
 * pull requests); `OctokitHost` in octokit-host.ts is the real one.
 */
import type { OctokitOptions } from '../github/octokit.js';

/** An open issue (or pull request: the issues endpoint returns both) as the intake sees it. */
export interface IssueSummary {
  number: number;
  title: string;
  body: string;
  labels: string[];
  url: string;
  /** True for a pull request. */
  isPull: boolean;
  /** Who opened it (a login). */
  author: string;
}

export interface IssueComment {
  id: number;
  body: string;
  author: string;
  created_at: string;
}

/** A conditional read: `unchanged` when GitHub answered 304 to the ETag we sent. */
export type Conditional<T> =
  | { unchanged: true }
  | { unchanged: false; etag: string | undefined; value: T };

export interface IssueHost {
  /** Open issues carrying `label`, oldest first; conditional on `etag`. */
  listLabelled(label: string, etag?: string): Promise<Conditional<IssueSummary[]>>;
  /** The labels an issue carries now. */
  labelsOf(issue: number): Promise<string[]>;
  addLabel(issue: number, name: string): Promise<void>;
  /** Removes a label; one that is not there is fine. */
  removeLabel(issue: number, name: string): Promise<void>;
  /** Creates the label unless the repository has it; true when it was created. */
  ensureLabel(name: string, color: string, description: string): Promise<boolean>;
  /** The issue's comments (oldest first), from `since` on; conditional on `etag`. */
  comments(issue: number, since: string, etag?: string): Promise<Conditional<IssueComment[]>>;
  createComment(issue: number, body: string): Promise<number>;
  /** Edits a comment; false when it no longer exists. */
  updateComment(id: number, body: string): Promise<boolean>;
  /** Whether `login` may push to the repository (admin, maintain or write). */
  canWrite(login: string): Promise<boolean>;
  /** Who applied `label` to the issue last (its events), if anyone did. */
  labelledBy(issue: number, label: string): Promise<string | undefined>;
  defaultBranch(): Promise<string>;
  /** The pull request (any state) from `branch` of this repository, if there is one. */
  findPull(branch: string): Promise<string | undefined>;
  openPull(pull: {
    branch: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<string>;
}

/** How the real host reaches GitHub: the client's options and owner/repo. */
export interface OctokitHostOptions extends OctokitOptions {
  repo: string;
}
