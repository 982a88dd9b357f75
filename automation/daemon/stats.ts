/** Session statistics, printed at shutdown and added to the state's cumulative `stats`. */
import type { State } from '../store/schema.js';

export interface SessionStats {
  processed: number;
  succeeded: number;
  failed: number;
  escalated: number;
}

export const emptyStats = (): SessionStats => ({
  processed: 0,
  succeeded: 0,
  failed: 0,
  escalated: 0,
});

/** Adds one finished task to the cumulative counters in the state. */
export function countInState(state: State, outcome: string): void {
  const s = state.stats as Record<string, unknown>;
  const inc = (k: string) => (s[k] = (typeof s[k] === 'number' ? (s[k] as number) : 0) + 1);
  inc('tasks_processed');
  if (outcome !== 'failed' && outcome !== 'cancelled') inc('tasks_succeeded');
  if (outcome === 'failed') inc('tasks_failed');
  inc(`outcome_${outcome}`);
}

const hms = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const minutes = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const seconds = String(s % 60).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${minutes}:${seconds}`;
};

/** The statistics block, as in the original design's shutdown output. */
export function formatStats(stats: SessionStats, uptimeMs: number): string {
  const rate = stats.processed
    ? `${((stats.succeeded / stats.processed) * 100).toFixed(1)}%`
    : 'n/a';
  return [
    '[Orchestrator] Session statistics:',
    `  Uptime: ${hms(uptimeMs)}`,
    `  Tasks processed: ${stats.processed}`,
    `  Tasks succeeded: ${stats.succeeded}`,
    `  Tasks failed: ${stats.failed}`,
    `  Tasks escalated: ${stats.escalated}`,
    `  Success rate: ${rate}`,
  ].join('\n');
}
