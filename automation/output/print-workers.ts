/** Human rendering of `fixloop workers`. */
import type { WorkerRow } from '../status/workers.js';
import type { Style } from './style.js';

/** One line per worker: id, status, task and step, orders done, last seen. */
export function formatWorkers(workers: readonly WorkerRow[], s: Style, shared = false): string {
  if (workers.length === 0)
    return s.dim(
      shared
        ? 'No workers on the shared queue yet (start one with "fixloop worker").'
        : 'No workers yet (they start with "fixloop watch").',
    );
  const colour = { busy: s.green, idle: (x: string) => x, stopped: s.dim, lost: s.red };
  const rows = workers.map((w) => {
    const task = w.task_id ? `${w.task_id}${w.step ? ` — ${w.step}` : ''}` : '–';
    const status = (colour[w.status] ?? ((x: string) => x))(w.status.padEnd(8));
    return `${w.id.padEnd(28)} ${status} ${String(w.done).padStart(4)}  ${task}`;
  });
  return [s.dim(`${'worker'.padEnd(28)} ${'status'.padEnd(8)} done  task`), ...rows].join('\n');
}
