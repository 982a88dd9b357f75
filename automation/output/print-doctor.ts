/** Human rendering of `fixloop doctor`. */
import type { DoctorReport } from '../commands/doctor.js';
import type { Style } from './style.js';

export function formatDoctor(r: DoctorReport, s: Style): string {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) => {
    const mark = c.status === 'ok' ? s.green('✓') : c.status === 'fail' ? s.red('✗') : s.dim('–');
    return `${mark} ${c.name.padEnd(width)}  ${c.detail}${c.fix ? `\n  ${' '.repeat(width)}  ${s.yellow(`fix: ${c.fix}`)}` : ''}`;
  });
  lines.push(
    '',
    r.ok ? s.green('All checks passed.') : s.red('Some checks failed; see the fixes above.'),
  );
  return lines.join('\n');
}
