/**
 * Isolation for Python: a `sitecustomize` put first on PYTHONPATH for test runs of a copy of the
 * project. It runs after site-packages' `.pth` files, so it can point what an editable install
 * added (a `sys.path` entry into the checkout, setuptools' finder `MAPPING`) at the copy instead;
 * an audit hook then sees every file Python opens (modules included, through `io.open_code`) and
 * applies the rule of trace-rule.ts. Then the interpreter's own sitecustomize, if any, is imported.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRACE_ENV } from './trace-rule.js';

const SITECUSTOMIZE = `# Written by fixloop: runs of a copy read the copy, not the checkout.
import os as _os, sys as _sys


def _fixloop_trace():
    source = _os.environ.get(${JSON.stringify(TRACE_ENV.source)})
    copy = _os.environ.get(${JSON.stringify(TRACE_ENV.copy)})
    out = _os.environ.get(${JSON.stringify(TRACE_ENV.out)})
    if not (source and copy and out):
        return
    prefix = source + _os.sep

    def moved(path):
        if not isinstance(path, str):
            return path
        try:
            real = _os.path.realpath(path)
        except Exception:
            return path
        if real == source or real.startswith(prefix):
            there = copy + real[len(source):]
            if _os.path.exists(there):
                return there
        return path

    # Editable installs: what the .pth files put on sys.path, and setuptools' finders.
    _sys.path[:] = [moved(p) for p in _sys.path]
    for name, module in list(_sys.modules.items()):
        mapping = getattr(module, "MAPPING", None)
        if name.startswith("__editable__") and isinstance(mapping, dict):
            for key, path in list(mapping.items()):
                mapping[key] = moved(path)
    if not hasattr(_sys, "addaudithook"):
        return
    seen = set()

    def hook(event, args):
        if event != "open" or not args or not isinstance(args[0], str):
            return
        path = args[0]
        if path in seen or len(seen) > 200000:
            return
        seen.add(path)
        try:
            real = _os.path.realpath(path)
            if not real.startswith(prefix):
                return
            parts = real[len(prefix):].split(_os.sep)
            if "node_modules" in parts or parts[0] == ".git":
                return
            if _os.path.exists(_os.path.join(copy, *parts)):
                with open(out, "a") as f:
                    f.write("/".join(parts) + "\\n")
        except Exception:
            pass

    _sys.addaudithook(hook)


_fixloop_trace()

# The interpreter's own sitecustomize, which this one shadows.
_here = _os.path.dirname(_os.path.abspath(__file__))
_saved = list(_sys.path)
_self = _sys.modules.get(__name__)
try:
    del _sys.modules["sitecustomize"]
    _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != _here]
    import sitecustomize  # noqa: F401
except Exception:
    pass
finally:
    _sys.path[:] = _saved
    if "sitecustomize" not in _sys.modules and _self is not None:
        _sys.modules["sitecustomize"] = _self
`;

/** Writes the tracer's `sitecustomize.py` into `dir` (when it differs) and returns `dir`. */
export function pythonTraceDir(dir: string): string {
  const file = join(dir, 'sitecustomize.py');
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* not written yet */
  }
  if (current !== SITECUSTOMIZE) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, SITECUSTOMIZE);
  }
  return dir;
}
