import { describe, expect, it } from 'vitest';
import { scriptArgs, shellWords } from '../../automation/check/script-args.js';

describe('the project test script', () => {
  it('splits a command line as a shell would', () => {
    expect(shellWords(`vitest --project 'unit*' --config "a b.ts" x\\ y`)).toEqual([
      'vitest',
      '--project',
      'unit*',
      '--config',
      'a b.ts',
      'x y',
    ]);
  });

  it('keeps the flags that scope a run, following npm run to the runner', () => {
    const scripts = {
      test: 'npm run test:unit',
      'test:unit': "vitest run --project 'unit*' --project=lib --reporter=dot --coverage",
    };
    expect(scriptArgs(scripts, 'vitest')).toEqual(['--project', 'unit*', '--project=lib']);
    expect(scriptArgs({ test: 'jest --selectProjects a b --ci -c jest.unit.js' }, 'jest')).toEqual([
      '--selectProjects',
      'a',
      'b',
      '-c',
      'jest.unit.js',
    ]);
    // jest-extended: `jest --color=true`, its matchers' message snapshots hold colours.
    expect(scriptArgs({ test: 'jest --color=true --ci' }, 'jest')).toEqual(['--color=true']);
    expect(scriptArgs({ test: 'jest --colors' }, 'jest')).toEqual(['--colors']);
  });

  it('says when the script does not run the runner itself (turbo, lerna…)', () => {
    expect(scriptArgs({ test: 'turbo run test' }, 'vitest')).toBeUndefined();
    expect(scriptArgs(undefined, 'vitest')).toBeUndefined();
  });
});
