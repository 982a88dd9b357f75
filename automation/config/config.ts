/** The frozen, typed configuration object passed down from the edge. */
import type { ParsedEnv } from './schema.js';

export interface Config {
  /** Working directory the daemon or command was started in. */
  readonly cwd: string;
  readonly projectRoot: string;
  readonly stateFile: string;
  readonly lockFile: string;
  readonly logDir: string;
  /** fixloop's cache folder for this project (outside it): the HEAD export, worktrees. */
  readonly cacheDir: string;
  readonly anthropic: {
    readonly apiKey: string | undefined;
    readonly baseUrl: string | undefined;
    readonly plannerModel: string;
    readonly fixerModel: string;
  };
  readonly headless: {
    readonly provider: 'api' | 'claude-code';
    readonly cliPath: string;
    readonly oauthToken: string | undefined;
    /**
     * How Claude Code will authenticate: API key, OAuth token, an existing login, or not at all.
     */
    readonly claudeCodeAuth:
      | 'ANTHROPIC_API_KEY'
      | 'CLAUDE_CODE_OAUTH_TOKEN'
      | 'Claude Code login'
      | null;
  };
  readonly fix: {
    readonly enabled: boolean;
    readonly maxRetries: number;
    readonly retryMinDelayMs: number;
    readonly retryMaxDelayMs: number;
    readonly allowTestEdits: boolean;
    readonly protect: readonly string[];
    readonly maxCostUsdPerHour: number;
    readonly attemptTimeoutMs: number;
    /** A fix writes into the working tree only after this long without a save of the user's. */
    readonly quietMs: number;
  };
  readonly watch: {
    readonly debounceMs: number;
    readonly extensions: readonly string[];
    readonly ignore: readonly string[];
    readonly maxBatchSize: number;
  };
  readonly breaker: { readonly threshold: number; readonly windowMs: number };
  readonly test: {
    readonly command: string | undefined;
    readonly timeoutMs: number;
    /** Keep a vitest instance alive between checks (vitest projects). */
    readonly warm: boolean;
    /** A warm runner whose memory passes this is restarted. */
    readonly warmMaxBytes: number;
    /** Failing tests are run again this many times before they are blamed (0: never). */
    readonly flakyReruns: number;
  };
  readonly daemon: {
    readonly heartbeatMs: number;
    readonly healthCheckMs: number;
    readonly shutdownTimeoutMs: number;
    readonly statusPort: number | undefined;
    /** The bearer token `POST /tasks` requires; without it `POST /tasks` answers 403. */
    readonly statusToken: string | undefined;
  };
  /** Work orders (CONTRACT.md §5). */
  readonly work: {
    readonly maxWorkers: number;
    /** Where work orders' worktrees live: outside the project. */
    readonly worktreeDir: string;
    /** Shell command run in a new worktree before the work starts. */
    readonly setup: string | undefined;
    /** Push the result branch; unset: only for orders from GitHub issues. */
    readonly push: boolean | undefined;
    readonly prDraft: boolean;
    /** A changed source file no test covers fails the attempt (the next is told to add one). */
    readonly requireTests: boolean;
  };
  /** The shared queue (CONTRACT.md §7); embedded (the state file) without a URL. */
  readonly queue: {
    /** A secret: may carry a password; shown only through `redisLabel`. */
    readonly url: string | undefined;
    /** How long a worker's hold on an order lasts unrenewed: a dead worker's order runs again. */
    readonly lockMs: number;
  };
  /** Code the model wrote runs sandboxed (CONTRACT.md §8, Isolation). */
  readonly sandbox: {
    readonly mode: 'auto' | 'required' | 'off';
    readonly network: 'deny' | 'allow';
  };
  /** Labelled GitHub issues become work orders (CONTRACT.md §6); off without a label. */
  readonly intake: {
    readonly label: string | undefined;
    readonly pollMs: number;
    /** Work orders per issue before it is labelled failed. */
    readonly maxAttempts: number;
    /** `collaborators`: only issues opened or labelled by someone with write access run. */
    readonly trust: 'collaborators' | 'anyone';
  };
  readonly escalation: {
    readonly githubToken: string | undefined;
    readonly githubRepo: string | undefined;
    readonly githubApiUrl: string;
    readonly slackWebhookUrl: string | undefined;
    readonly emailWebhookUrl: string | undefined;
    readonly cooldownMs: number;
    readonly closeOnFix: boolean;
  };
  /** Values of secret variables, for redaction. */
  readonly secrets: readonly string[];
  /**
   * Environment for the project's test runs: the real environment without fixloop's own secrets.
   */
  readonly childEnv: Readonly<Record<string, string>>;
}

/** Builds the Config from parsed variables and resolved paths. */
export function toConfig(
  env: ParsedEnv,
  paths: {
    cwd: string;
    projectRoot: string;
    stateFile: string;
    lockFile: string;
    logDir: string;
    cacheDir: string;
    worktreeDir: string;
  },
  secrets: string[],
  childEnv: Record<string, string>,
  hasClaudeLogin: boolean,
): Config {
  const { worktreeDir, ...rest } = paths;
  return {
    ...rest,
    anthropic: {
      apiKey: env.ANTHROPIC_API_KEY,
      baseUrl: env.ANTHROPIC_BASE_URL,
      plannerModel: env.PLANNER_MODEL ?? env.CLAUDE_MODEL ?? '',
      fixerModel: env.FIXER_MODEL ?? env.CLAUDE_MODEL ?? '',
    },
    headless: {
      provider: env.HEADLESS_PROVIDER,
      cliPath: env.CLAUDE_CLI_PATH ?? 'claude',
      oauthToken: env.CLAUDE_CODE_OAUTH_TOKEN,
      claudeCodeAuth: env.ANTHROPIC_API_KEY
        ? 'ANTHROPIC_API_KEY'
        : env.CLAUDE_CODE_OAUTH_TOKEN
          ? 'CLAUDE_CODE_OAUTH_TOKEN'
          : hasClaudeLogin
            ? 'Claude Code login'
            : null,
    },
    fix: {
      enabled: env.AUTO_FIX_ENABLED,
      maxRetries: env.MAX_RETRIES,
      retryMinDelayMs: env.RETRY_MIN_DELAY_MS,
      retryMaxDelayMs: env.RETRY_MAX_DELAY_MS,
      allowTestEdits: env.FIX_ALLOW_TEST_EDITS,
      protect: env.FIX_PROTECT,
      maxCostUsdPerHour: env.MAX_COST_USD_PER_HOUR,
      attemptTimeoutMs: env.FIX_ATTEMPT_TIMEOUT_SECONDS,
      quietMs: env.FIX_QUIET_SECONDS,
    },
    watch: {
      debounceMs: env.FILE_WATCH_DEBOUNCE_SECONDS,
      extensions: env.WATCH_EXTENSIONS,
      ignore: env.WATCH_IGNORE,
      maxBatchSize: env.MAX_BATCH_SIZE,
    },
    breaker: { threshold: env.CIRCUIT_BREAKER_THRESHOLD, windowMs: env.CIRCUIT_BREAKER_WINDOW },
    test: {
      command: env.TEST_COMMAND,
      timeoutMs: env.TEST_TIMEOUT_SECONDS,
      warm: env.WARM_RUNNER,
      warmMaxBytes: env.WARM_RUNNER_MAX_MB * 1024 * 1024,
      flakyReruns: env.FLAKY_RERUNS,
    },
    daemon: {
      heartbeatMs: env.HEARTBEAT_INTERVAL_SECONDS,
      healthCheckMs: env.HEALTH_CHECK_INTERVAL_SECONDS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS,
      statusPort: Number.isNaN(env.STATUS_PORT) ? undefined : env.STATUS_PORT,
      statusToken: env.STATUS_TOKEN,
    },
    work: {
      maxWorkers: env.MAX_WORKERS,
      worktreeDir,
      setup: env.WORKTREE_SETUP,
      push: env.WORK_PUSH,
      prDraft: env.WORK_PR_DRAFT,
      requireTests: env.WORK_REQUIRE_TESTS,
    },
    queue: { url: env.QUEUE_URL, lockMs: env.QUEUE_LOCK_SECONDS },
    sandbox: { mode: env.SANDBOX, network: env.SANDBOX_NETWORK },
    intake: {
      label: env.GITHUB_INTAKE_LABEL,
      pollMs: env.GITHUB_POLL_SECONDS,
      maxAttempts: env.GITHUB_MAX_ATTEMPTS,
      trust: env.GITHUB_INTAKE_TRUST,
    },
    escalation: {
      githubToken: env.GITHUB_TOKEN,
      githubRepo: env.GITHUB_REPO,
      githubApiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      slackWebhookUrl: env.SLACK_WEBHOOK_URL,
      emailWebhookUrl: env.EMAIL_WEBHOOK_URL,
      cooldownMs: env.ESCALATION_COOLDOWN_SECONDS,
      closeOnFix: env.ESCALATION_CLOSE_ON_FIX,
    },
    secrets,
    childEnv,
  };
}
