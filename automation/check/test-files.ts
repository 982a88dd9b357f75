/** Which paths are test files (they run themselves; fixes leave them alone by default). */

const TEST_FILE = [
  /(^|\/)(__tests__|__mocks__)\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)test_[^/]*\.py$/,
  /_test\.(py|go)$/,
  /(^|\/)conftest\.py$/,
  /(^|\/)tests?\/.*\.[cm]?[jt]sx?$/,
];

/** True for a test file by the usual naming conventions. Paths relative, with `/`. */
export function isTestFile(relPath: string): boolean {
  return TEST_FILE.some((re) => re.test(relPath));
}
