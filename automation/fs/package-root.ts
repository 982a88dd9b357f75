/** Where fixloop itself is installed: found from this file, wherever the build put it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | undefined;

/** fixloop's package folder (holding its package.json) and version. */
export function fixloopPackage(): { root: string; version: string } {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fixloop') {
        found = { root: dir, version: pkg.version ?? '0.0.0' };
        return found;
      }
    }
    if (dirname(dir) === dir) throw new Error('fixloop cannot find its own package.json');
  }
}
