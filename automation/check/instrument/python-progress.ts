/**
 * The pytest plugin (`-p fixloop_progress`, its folder put on PYTHONPATH) that appends a run's
 * progress to the file named by FIXLOOP_PROGRESS_FILE (see progress.ts). pytest calls it before
 * each test runs, so even a test that never returns is named.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRESS_ENV } from './progress.js';

/** The plugin's module name (what `-p` loads). */
export const PYTEST_PLUGIN = 'fixloop_progress';

const PLUGIN = `# Written by fixloop: a test run's progress, for naming a test that never ends.
import json, os, time


def _write(event):
    out = os.environ.get(${JSON.stringify(PROGRESS_ENV)})
    if not out:
        return
    try:
        event["t"] = int(time.time() * 1000)
        with open(out, "a") as f:
            f.write(json.dumps(event) + "\\n")
    except Exception:
        pass


def pytest_runtest_logstart(nodeid, location):
    _write({"e": "start", "id": nodeid, "name": nodeid.split("::", 1)[-1],
            "file": location[0], "line": (location[1] or 0) + 1})


def pytest_runtest_logfinish(nodeid, location):
    _write({"e": "end", "id": nodeid, "file": location[0]})
`;

/** Writes the plugin into `dir` (when it differs) and returns `dir`. */
export function pytestPluginDir(dir: string): string {
  const file = join(dir, `${PYTEST_PLUGIN}.py`);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* not written yet */
  }
  if (current !== PLUGIN) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, PLUGIN);
  }
  return dir;
}
