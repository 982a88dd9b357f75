// Benchmark child: starts one watcher on a tree and reports time to ready and RSS.
// argv: <ours|raw> <root>
import { watch } from 'chokidar';
import { DEFAULT_WATCH_EXTENSIONS } from '../../../dist/config/schema.js';
import { gitignoreReader } from '../../../dist/watch/gitignore.js';
import { SelfWrites } from '../../../dist/watch/self-writes.js';
import { ProjectWatcher } from '../../../dist/watch/watcher.js';

const [mode, root] = process.argv.slice(2);
globalThis.gc?.();
const before = process.memoryUsage().rss;
const started = performance.now();
let close;
if (mode === 'raw') {
  const w = watch(root, { ignoreInitial: true });
  await new Promise((r) => w.once('ready', r));
  close = () => w.close();
} else {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const w = new ProjectWatcher({
    projectRoot: root,
    ownDirs: [`${root}/state`, `${root}/logs`],
    ownFiles: [],
    extensions: [...DEFAULT_WATCH_EXTENSIONS],
    extraIgnore: [],
    readGitignore: gitignoreReader(root),
    debounceMs: 2000,
    selfWrites: new SelfWrites(root, { now: () => Date.now() }),
    logger: silent,
    onBatch() {},
    onLimit() {},
  });
  await w.start();
  close = () => w.stop();
}
const readyMs = performance.now() - started;
await new Promise((r) => setTimeout(r, 300));
globalThis.gc?.();
const rss = process.memoryUsage().rss;
await close();
process.stdout.write(JSON.stringify({ readyMs, rss, grew: rss - before }));
