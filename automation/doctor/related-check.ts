/** Doctor: do saves of the project's source files reach any test? Warns when most do not. */

import { findFiles, stemOf } from '../check/related/find-tests.js';
import { ImportSearch } from '../check/related/importers.js';
import { isTestFile } from '../check/test-files.js';
import { type Check, ok, skip, warn } from './check.js';

const SOURCE = /\.(?:[cm]?[jt]sx?|py)$/;
/** Configuration files are sources no test imports, by design. */
const CONFIG = /(^|\/)[^/]*\.config\.[cm]?[jt]s$|(^|\/)(setup|conftest|__init__)\.py$/;
/** Files looked at, at most (spread over the project). */
const SAMPLE = 120;

/** How many source files have a related test (by imports, or by name for Python). */
export async function relatedTestsCheck(root: string, runner: string | undefined): Promise<Check> {
  if (!runner) return skip('related tests', 'no test runner detected');
  const all = await findFiles(root, (name) => SOURCE.test(name));
  const sources = all.filter((f) => !isTestFile(f) && !CONFIG.test(f));
  if (sources.length === 0) return skip('related tests', 'no source files found');
  const step = Math.max(1, Math.floor(sources.length / SAMPLE));
  const sample = sources.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const pyTests = new Set(all.filter((f) => f.endsWith('.py') && isTestFile(f)).map(stemOf));
  const js = await new ImportSearch(root).relatedTestsEach(
    sample.filter((f) => !f.endsWith('.py')),
  );
  const without = sample.filter((f) =>
    f.endsWith('.py')
      ? !pyTests.has(`test_${stemOf(f)}`) && !pyTests.has(`${stemOf(f)}_test`)
      : (js.get(f) ?? []).length === 0,
  );
  const found = sample.length - without.length;
  const detail = `${found} of ${sample.length} source files looked at have a related test`;
  if (without.length * 2 <= sample.length) return ok('related tests', detail);
  const examples = without.slice(0, 3).join(', ');
  return warn(
    'related tests',
    `${detail}; saves of the others (e.g. ${examples}) run no test`,
    'add tests that import those files, or set TEST_COMMAND to what should run on a save',
  );
}
