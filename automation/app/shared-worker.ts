/**
 * Builds `fixloop worker`: the work stage of this clone (model, provider, checker), run on orders
 * from the shared queue. Each worker process keeps its orders' records in a private state file
 * and its worktrees in a folder of its own, so several workers may share a clone.
 */
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { TaskOutcomes } from '../daemon/outcomes.js';
import { pidAlive } from '../daemon/ownership.js';
import { emptyStats } from '../daemon/stats.js';
import { createGit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import { Worktrees } from '../git/worktree.js';
import { withPull } from '../github/pull.js';
import { OctokitHost } from '../intake/octokit-host.js';
import { createFileLogger } from '../log/file-logger.js';
import { DaemonConsole } from '../output/console.js';
import { JobRunner } from '../queue/job-runner.js';
import type { OrderJobData } from '../queue/job-task.js';
import { originUrl, queueNameFor } from '../queue/name.js';
import { QueueWorker } from '../queue/queue-worker.js';
import { redisLabel } from '../queue/redis.js';
import { sharedLedger } from '../queue/spend-ledger.js';
import { StateStore } from '../store/store.js';
import { findTask } from '../tasks/queue.js';
import { TranscriptWriter } from '../transcript/writer.js';
import { checkerFor } from './checker.js';
import { buildFixLoop, observeOnlyReason } from './fix-loop.js';
import { isolation, isolationLine } from './sandbox.js';
import { buildWorkLane } from './work.js';

/** A waiting order looks at its parents again after this long (their end wakes it sooner). */
const RECHECK_MS = 5000;

/** The worker process for `config`: `start()`, then `stop()` at a signal. */
export async function buildSharedWorker(
  config: Config,
  io: { stdout: { write(s: string): unknown }; color: boolean; concurrency: number },
) {
  const url = config.queue.url;
  if (!url)
    throw new ConfigError(['QUEUE_URL is required by fixloop worker: e.g. redis://localhost:6379']);
  const why = observeOnlyReason(config);
  if (why)
    throw new ConfigError([`fixloop worker carries out work orders and needs a model: ${why}`]);
  const repoRoot = repositoryOf(config.projectRoot);
  if (!repoRoot)
    throw new ConfigError([`PROJECT_ROOT (${config.projectRoot}) is not in a git repository`]);
  const git = createGit(config.childEnv);
  const name = queueNameFor(await originUrl(git, repoRoot));
  const clock = systemClock;
  const me = { host: hostname(), pid: process.pid };
  const out = new DaemonConsole(io.stdout, io.color, config.secrets);
  const logger = createFileLogger(config.logDir, { component: 'worker', secrets: config.secrets });
  const own = join(config.cacheDir, 'workers', String(me.pid));
  const store = new StateStore({
    file: join(own, 'state.json'),
    lockFile: join(own, 'state.json.lock'),
    secrets: config.secrets,
    clock,
    logger,
    onWarning: (m) => out.line('State', m),
  });
  // Worktrees of this process only: a sibling worker in the same clone keeps its own.
  const worktreeRoot = config.work.worktreeDir;
  const mine: Config = {
    ...config,
    work: { ...config.work, worktreeDir: join(worktreeRoot, `w-${me.pid}`) },
  };
  // The transcript of an order under way here travels with its job (`fixloop logs` anywhere).
  const jobs = new Map<string, Job<OrderJobData>>();
  const transcripts = new TranscriptWriter({
    logDir: config.logDir,
    secrets: config.secrets,
    clock,
    also: (id, line) => jobs.get(id)?.log(line),
    onError: (task, err) => logger.warn({ err, task }, 'transcript lines not written'),
  });
  const logTo = (id: string, job: Job<OrderJobData>) => {
    jobs.set(id, job);
    return async () => {
      await transcripts.flush(id);
      if (jobs.get(id) === job) jobs.delete(id);
    };
  };
  const core = { config: mine, store, clock, logger, console: out, transcript: transcripts.note };
  // Code the model writes runs sandboxed; SANDBOX=required without one stops here (exit 2).
  const iso = isolation(config);
  const runnerName = checkerFor(config, config.projectRoot).runnerName;
  const ledger = sharedLedger(config);
  const fixLoop = buildFixLoop({ ...core, runnerName, ledger, sandbox: iso.agent });
  const outcomes = new TaskOutcomes({ ...core, stats: emptyStats() });
  const lane = buildWorkLane({ ...core, isolation: iso }, fixLoop, runnerName)(outcomes);
  const say = (line: string) => out.line('Worker', line);
  const { githubToken: token, githubRepo: repo, githubApiUrl: apiUrl } = config.escalation;
  // Pushed orders get their pull request from the worker that delivered them.
  const host =
    token && repo
      ? new OctokitHost({
          token,
          repo,
          apiUrl,
          log: (message) => logger.debug({ github: message }, 'GitHub request'),
        })
      : undefined;
  let runner: JobRunner | undefined;
  const worker = new QueueWorker({
    url,
    name,
    concurrency: io.concurrency,
    lockMs: config.queue.lockMs,
    beatMs: config.daemon.heartbeatMs,
    me,
    clock,
    logger,
    say,
    run: (job, token, signal) => (runner as JobRunner).run(job, token, signal),
    stepOf: async (id) => (findTask(await store.read(), id)?.task.step as string) ?? null,
  });
  runner = new JobRunner({
    getJob: async (id) => (await worker.queue.getJob(id)) ?? undefined,
    addChildren: (parent, children, base) => worker.addChildren(parent, children, base),
    dependents: worker.dependents,
    git,
    repoRoot,
    store,
    lane,
    clock,
    recheckMs: RECHECK_MS,
    ...(host
      ? {
          delivered: (record) =>
            withPull(host, record, { draft: config.work.prDraft, secrets: config.secrets }),
        }
      : {}),
    lockMs: config.queue.lockMs,
    logTo,
    transcript: transcripts.note,
  });
  return {
    start: async () => {
      await sweepDeadWorkers(git, repoRoot, worktreeRoot, config.cacheDir);
      await lane.init?.();
      await transcripts.prune().catch(() => 0);
      await worker.start();
      say(isolationLine(iso, config));
      say(
        `Taking work orders from ${redisLabel(url)} (queue ${name}), ` +
          `${io.concurrency} at a time, as ${me.host}:${me.pid}; Ctrl-C stops`,
      );
    },
    stop: async (reason: string) => {
      say(`${reason}; stopping`);
      await worker.stop(config.daemon.shutdownTimeoutMs);
      await fixLoop?.usage.close();
      await rm(own, { recursive: true, force: true });
      logger.flush();
      say('Stopped');
    },
  };
}

/** Removes the worktrees and records of worker processes on this machine that died. */
async function sweepDeadWorkers(
  git: ReturnType<typeof createGit>,
  repoRoot: string,
  worktreeRoot: string,
  cacheDir: string,
): Promise<void> {
  for (const entry of await readdir(worktreeRoot).catch(() => [] as string[])) {
    const pid = Number(/^w-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    const dir = join(worktreeRoot, entry);
    await new Worktrees({ git, repoRoot, dir }).pruneStale();
    await rm(dir, { recursive: true, force: true });
  }
  for (const entry of await readdir(join(cacheDir, 'workers')).catch(() => [] as string[]))
    if (!pidAlive(Number(entry)))
      await rm(join(cacheDir, 'workers', entry), { recursive: true, force: true });
}
