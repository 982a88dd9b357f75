/** A run that wrote no report is explained by its output: the error line, then the tail. */
import { describe, expect, it } from 'vitest';
import { outputTail } from '../../automation/check/runner.js';

describe('outputTail', () => {
  it('leads with the line naming the error when the output ends in a code frame', () => {
    const output = [
      "error: unknown option '--findRelatedTests'",
      '  process.exit called with "1"',
      '',
      '      412 |     program.parse();',
      '    > 413 |   });',
      '          |   ^',
      '      414 | });',
      '    at Object.<anonymous> (tests/command.parse.test.js:413:5)',
    ].join('\n');
    expect(outputTail(output)).toBe(
      "error: unknown option '--findRelatedTests' | … | 412 |     program.parse(); | " +
        '> 413 |   }); | |   ^ | 414 | });',
    );
  });

  it('keeps the plain tail when it already names the error', () => {
    expect(outputTail('starting\nTypeError: x is not a function\n')).toBe(
      'starting | TypeError: x is not a function',
    );
  });
});
