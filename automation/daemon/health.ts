/**
 * The periodic health check: state writable, watcher alive, runner detected, Claude reachable when
 * configured.
 */

export interface HealthProbe {
  name: string;
  /** Resolves to null when healthy, or a one-line problem. */
  check(): Promise<string | null>;
}

export interface HealthReport {
  timestamp: string;
  healthy: boolean;
  checks: Record<string, { ok: boolean; detail: string | null }>;
}

/** Runs every probe (each bounded in time) and reports them all. */
export async function runHealthCheck(
  probes: readonly HealthProbe[],
  now: () => string,
  timeoutMs = 10_000,
): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  await Promise.all(
    probes.map(async (p) => {
      let detail: string | null;
      try {
        detail = await Promise.race([
          p.check(),
          new Promise<string>((resolve) =>
            setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs).unref(),
          ),
        ]);
      } catch (error) {
        detail = (error as Error).message;
      }
      checks[p.name] = { ok: detail === null, detail };
    }),
  );
  return { timestamp: now(), healthy: Object.values(checks).every((c) => c.ok), checks };
}
