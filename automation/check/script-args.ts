/**
 * The project's own test script, read for the flags that scope its runs (`vitest --project
 * 'unit*'`, `jest --selectProjects unit`, a config file), so fixloop runs tests as the project
 * does.
 */

/** Splits a shell command line into words (single and double quotes, backslash escapes). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      started = true;
    } else if (/\s/.test(c) || c === ';' || c === '&' || c === '|') {
      if (started || word) words.push(word);
      word = '';
      started = false;
      if (c !== ' ' && c !== '\t') words.push(c);
    } else {
      word += c;
      started = true;
    }
  }
  if (started || word) words.push(word);
  return words;
}

/** Flags each runner's scoping keeps; `true`: the flag takes a value. */
const KEPT: Record<string, Record<string, boolean>> = {
  vitest: {
    '--project': true,
    '--config': true,
    '-c': true,
    '--root': true,
    '-r': true,
    '--dir': true,
  },
  jest: {
    '--selectProjects': true,
    '--config': true,
    '-c': true,
    '--rootDir': true,
    // Colours change what matchers print: snapshots of messages were taken with the script's.
    '--color': false,
    '--colors': false,
  },
};

/** `npm run x`, `pnpm x`, `yarn run x`…: the script a word list delegates to, if any. */
function delegate(words: readonly string[]): string | undefined {
  const [tool, a, b] = words;
  if (tool === 'npm' && (a === 'run' || a === 'run-script')) return b;
  if ((tool === 'pnpm' || tool === 'yarn' || tool === 'bun') && a === 'run') return b;
  if ((tool === 'pnpm' || tool === 'yarn') && a && !a.startsWith('-')) return a;
  return undefined;
}

/**
 * The scoping flags `runner` gets in the `test` script (following `npm run …` a few levels), or
 * undefined when the script does not invoke that runner directly (e.g. `turbo run test`).
 */
export function scriptArgs(
  scripts: Readonly<Record<string, string>> | undefined,
  runner: string,
): string[] | undefined {
  let script = scripts?.test;
  for (let depth = 0; script !== undefined && depth < 4; depth++) {
    const words = shellWords(script);
    const at = words.findIndex((w) => w === runner || w.endsWith(`/${runner}`));
    if (at >= 0) return keptFlags(words.slice(at + 1), runner);
    const next = delegate(words);
    script = next ? scripts?.[next] : undefined;
  }
  return undefined;
}

function keptFlags(words: readonly string[], runner: string): string[] {
  const kept = KEPT[runner] ?? {};
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (['&', '|', ';'].includes(word)) break;
    const [flag = '', inline] = word.split(/=(.*)/s);
    if (!(flag in kept)) continue;
    if (inline !== undefined) out.push(word);
    else if (kept[flag]) {
      // jest's --selectProjects takes every value up to the next flag.
      const values: string[] = [];
      while (i + 1 < words.length && !(words[i + 1] ?? '').startsWith('-')) {
        values.push(words[++i] ?? '');
        if (flag !== '--selectProjects') break;
      }
      if (values.length) out.push(flag, ...values);
    } else out.push(flag);
  }
  return out;
}
