/** Redaction hides secrets by value and by shape, and leaves fixloop's own words alone. */
import { describe, expect, it } from 'vitest';
import { redact, redactedJson } from '../../automation/redact.js';

describe('redact', () => {
  it('hides key=value secrets whose value looks like one, not the words around them', () => {
    expect(redact('password=hunter2 ok')).toBe('password=[redacted] ok');
    expect(redact('token: "abcdefghijklmnopqrstuvwxyz"')).toBe('token: "[redacted]"');
    expect(redact('api_key=Zq81xyZ')).toBe('api_key=[redacted]');
    const words = 'no ANTHROPIC_API_KEY: observe-only (failures are recorded, nothing is fixed)';
    expect(redact(words)).toBe(words);
    expect(redact('the STATUS_TOKEN: missing')).toBe('the STATUS_TOKEN: missing');
  });

  it('hides known values and credential shapes anywhere', () => {
    expect(redact('key s3cr3t-value here', ['s3cr3t-value'])).toBe('key [redacted] here');
    expect(redact('x sk-ant-api03-abcdefgh y')).toBe('x [redacted] y');
  });

  it('writes JSON with every string redacted, and as JSON.stringify when none needs it', () => {
    const doc = { tasks: [{ id: 't1', text: 'line one\nline "two"', n: 2, none: null }] };
    expect(redactedJson(doc, ['s3cr3t-value'], 2)).toBe(JSON.stringify(doc, undefined, 2));
    const leaky = {
      a: 'uses sk-ant-api03-abcdefgh',
      b: { c: ['key s3cr3t-value'] },
      // a known secret holding characters JSON escapes
      d: 'pass "quo\\ted" here',
    };
    const text = redactedJson(leaky, ['s3cr3t-value', '"quo\\ted"']);
    expect(JSON.parse(text)).toEqual({
      a: 'uses [redacted]',
      b: { c: ['key [redacted]'] },
      d: 'pass [redacted] here',
    });
    expect(redactedJson({ d: 'pass "quo\\ted" here' }, ['"quo\\ted"'])).not.toContain('quo');
  });
});
