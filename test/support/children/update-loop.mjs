// Child process for the cross-process store tests: appends tasks and bumps a counter through
// StateStore.update.
// argv: <stateFile> <count|forever> <label> [staleMs]
import { StateStore } from '../../../dist/store/store.js';
import { enqueue } from '../../../dist/tasks/queue.js';

const [file, countArg, label, staleArg] = process.argv.slice(2);
const store = new StateStore({ file, lockFile: `${file}.lock`, staleMs: Number(staleArg ?? 2000) });
const count = countArg === 'forever' ? Infinity : Number(countArg);
for (let i = 0; i < count; i++) {
  await store.update((state) => {
    enqueue(
      state,
      { type: 'manual', file_path: null, description: `${label}-${i}` },
      new Date().toISOString(),
    );
    state.stats.counter = (typeof state.stats.counter === 'number' ? state.stats.counter : 0) + 1;
    // Keep the pending queue bounded in the endless mode so the file stays small.
    if (countArg === 'forever' && state.queues.pending.length > 50)
      state.queues.pending.splice(0, 25);
  });
  if (countArg === 'forever' && i === 0) process.stdout.write('ready\n');
}
