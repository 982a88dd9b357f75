// Benchmark child: N locked updates; prints the lock wait of each (time from update() to the
// updater running).
import { StateStore } from '../../../dist/store/store.js';

const [file, countArg] = process.argv.slice(2);
const store = new StateStore({ file, lockFile: `${file}.lock` });
const waits = [];
for (let i = 0; i < Number(countArg); i++) {
  const asked = performance.now();
  await store.update((state) => {
    waits.push(performance.now() - asked);
    state.stats.counter = (typeof state.stats.counter === 'number' ? state.stats.counter : 0) + 1;
  });
}
process.stdout.write(JSON.stringify(waits));
