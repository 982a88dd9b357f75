/** The workers report: every work-lane worker in the state, as `fixloop workers` shows it. */
import { hostname } from 'node:os';
import { pidAlive } from '../daemon/ownership.js';
import { type WorkerRecord, workersOf } from '../lanes/workers.js';
import type { State } from '../store/schema.js';

export interface WorkerRow extends WorkerRecord {
  id: string;
  last_seen_age_seconds: number;
}

/**
 * Every worker, newest first; one of a process that is gone (on this host) is `lost`, whatever
 * its record says (it died without saying so).
 */
export function workersReport(state: State, nowMs: number): WorkerRow[] {
  const here = hostname();
  return Object.entries(workersOf(state))
    .map(([id, w]) => {
      const gone = w.host === here && w.status !== 'stopped' && !pidAlive(w.pid);
      return {
        ...w,
        id,
        status: gone ? ('lost' as const) : w.status,
        last_seen_age_seconds: Math.max(
          0,
          Math.round((nowMs - Date.parse(w.last_seen)) / 100) / 10,
        ),
      };
    })
    .sort((a, b) => b.started_at.localeCompare(a.started_at) || a.id.localeCompare(b.id));
}
