/** File names that hold secrets by convention: never read, written or shown to a model. */

/** Lower-case names: direnv, npm, netrc, PyPI, Postgres, and `.env` itself. */
const SECRET_NAMES = new Set(['.env', '.envrc', '.npmrc', '.netrc', '.pypirc', '.pgpass']);

/** True for `.env*`, `*.env` and the names above, in any letter case. */
export function isSecretFileName(name: string): boolean {
  const n = name.toLowerCase();
  return (
    SECRET_NAMES.has(n) || n.startsWith('.env.') || n.startsWith('.env-') || n.endsWith('.env')
  );
}
