/** Human rendering of `fixloop status`. */
import type { StatusReport } from '../status/report.js';
import { errorGist } from './print-tasks.js';
import { formatDuration, type Style } from './style.js';

const outcomeMark = (s: Style, outcome: string | undefined) =>
  outcome === 'failed'
    ? s.red('✗')
    : outcome === 'cancelled' || outcome === 'skipped'
      ? s.dim('–')
      : s.green('✓');

/** Lines describing the daemon, its queues and its recent work. */
export function formatStatus(r: StatusReport, s: Style): string {
  const lines: string[] = [];
  const who = r.pid === null ? '' : ` (pid ${r.pid} on ${r.host})`;
  const name = s.bold('fixloop:');
  if (r.daemon === 'never_started') {
    lines.push(
      `${name} ${s.yellow('not running')}: no daemon has used this state file yet. ` +
        'Start one with "fixloop watch".',
    );
  } else if (r.daemon === 'stopped') {
    lines.push(
      `${name} ${s.yellow('stopped')}${who}; last heartbeat ${r.last_heartbeat}. ` +
        'Start it with "fixloop watch".',
    );
  } else if (r.daemon === 'stale') {
    lines.push(
      `${name} ${s.red('stale')}${who}: ${r.stale_reason}. ` +
        (r.process_alive
          ? 'The process is alive but cannot update the state (full disk or permissions?); ' +
            'its log says why. "fixloop watch" takes over and the old daemon then stops.'
          : 'It probably crashed; "fixloop watch" takes over.'),
    );
  } else {
    const phase = r.process_status === 'running' ? '' : ` (${r.process_status})`;
    lines.push(
      `${name} ${s.green('running')}${phase}${who}, up ${formatDuration(r.uptime_seconds ?? 0)}, ` +
        `heartbeat ${formatDuration(r.heartbeat_age_seconds ?? 0)} ago`,
    );
  }
  if (r.project_root) lines.push(`  project   ${r.project_root}`);
  const counts = (q: StatusReport['queues']) =>
    `pending ${q.pending} · in progress ${q.in_progress} · ` +
    `needs input ${q.needs_input} · completed ${q.completed} · failed ${q.failed}`;
  lines.push(`  queues    ${counts(r.saves ?? r.queues)}`);
  const w = r.work_orders;
  if (w && Object.values(w).some((n) => n > 0)) lines.push(`  work      ${counts(w)}`);
  for (const t of r.work_in_progress ?? [])
    lines.push(
      `  working   ${t.id} ${t.description.split('\n')[0]}${t.step ? ` — ${t.step}` : ''}`,
    );
  if (r.current_task) {
    const t = r.current_task;
    const step = t.step ? ` — ${t.step}` : '';
    lines.push(
      `  current   ${t.id} ${t.file_path ?? t.description}${step} ` +
        `(${formatDuration(t.elapsed_seconds)})`,
    );
    const run = t.running;
    if (run) {
      const what =
        run.name === null
          ? `a test of ${run.file}`
          : `${run.file ? `${run.file} > ` : ''}${run.name}`;
      const where = run.location ? ` (${run.location})` : '';
      lines.push(`  running   ${what}${where} for ${formatDuration(run.seconds)}`);
    }
  }
  r.recent.forEach((t, i) => {
    const known =
      (t.known_failures
        ? s.dim(` (${t.known_failures} known failure${t.known_failures === 1 ? '' : 's'})`)
        : '') + (t.flaky ? s.yellow(` (${t.flaky} flaky)`) : '');
    const why =
      (t.error ? s.dim(` — ${errorGist(t.error, 100)}`) : '') +
      known +
      (t.verification ? s.dim(` — ${t.verification}`) : '');
    const label = i === 0 ? 'recent ' : '       ';
    lines.push(
      `  ${label}   ${outcomeMark(s, t.outcome)} ${t.id} ${t.outcome ?? ''} ` +
        `${t.file_path ?? t.branch ?? ''}${t.pr_url ? ` ${t.pr_url}` : ''}${why}`,
    );
  });
  for (const f of r.flaky_tests ?? [])
    lines.push(
      `  ${s.yellow('flaky')}     ${f.id} — ${f.last_day}× in the last day (${f.count} in all)`,
    );
  for (const b of r.open_breakers)
    lines.push(`  ${s.red('breaker')}   open for ${b.file}${b.until ? ` until ${b.until}` : ''}`);
  r.escalations.slice(0, 3).forEach((e, i) => {
    const channels = Object.entries(
      (e.channels ?? {}) as Record<string, { status: string; error?: string }>,
    )
      .map(([n, c]) => {
        const mark =
          c.status === 'sent'
            ? s.green('✓')
            : c.status === 'failed'
              ? s.red(`✗ ${c.error ?? ''}`)
              : c.status;
        return `${n} ${mark}`;
      })
      .join(', ');
    const repeats =
      typeof e.repeat_count === 'number' && e.repeat_count > 0
        ? ` (+${e.repeat_count} repeats)`
        : '';
    const label = i === 0 ? 'escalated' : '         ';
    const where = channels || 'no channel configured';
    lines.push(`  ${label} ${String(e.title)}${repeats} — ${where}`);
  });
  const usage = r.usage as {
    run?: { cost_usd?: number; calls?: number };
    last_hour_cost_usd?: number;
    cap_usd_per_hour?: number;
  };
  if (usage.run) {
    const run = (usage.run.cost_usd ?? 0).toFixed(4);
    const lastHour = (usage.last_hour_cost_usd ?? 0).toFixed(4);
    lines.push(
      `  usage     ${usage.run.calls ?? 0} calls, $${run} this run, ` +
        `$${lastHour} in the last hour (cap $${usage.cap_usd_per_hour ?? '?'})`,
    );
  }
  lines.push(`  state     ${r.state_file}`);
  return lines.join('\n');
}
