// Child process for the lost-lock test: one update whose updater blocks the event loop (as a laptop
// asleep would), so the lock goes stale without this process noticing. argv: <stateFile> <stallMs>
import { StateStore } from '../../../dist/store/store.js';
import { enqueue } from '../../../dist/tasks/queue.js';

const [file, stallArg] = process.argv.slice(2);
const store = new StateStore({ file, lockFile: `${file}.lock`, staleMs: 2000 });
let runs = 0;
await store.update((state) => {
  if (runs++ === 0) {
    process.stdout.write('locked\n'); // synchronous on a pipe
    const until = Date.now() + Number(stallArg);
    while (Date.now() < until) {
      /* stalled */
    }
  }
  enqueue(
    state,
    { type: 'manual', file_path: null, description: 'stalled-child' },
    new Date().toISOString(),
  );
});
process.stdout.write(`done after ${runs} run(s)\n`);
