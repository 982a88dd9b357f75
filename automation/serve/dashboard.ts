/**
 * The dashboard: one self-contained HTML page (no build step, no CDN) that follows /events
 * (server-sent events).
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fixloop</title>
<style>
  :root {
    color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --dim: #6e7781;
    --card: rgba(127,127,127,.08);
  }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 20px 28px; max-width: 1200px; }
  h1 { font-size: 20px; margin: 0 8px 0 0; display: inline-block; }
  h2 {
    font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim);
    margin: 22px 0 8px;
  }
  .badge {
    display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; color: #fff;
    background: var(--dim);
  }
  .badge.running { background: var(--ok); }
  .badge.stale { background: var(--bad); }
  .badge.stopped, .badge.never_started { background: var(--warn); }
  .meta { color: var(--dim); margin-left: 8px; }
  .grid { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
  .count { background: var(--card); border-radius: 8px; padding: 10px 12px; }
  .count b { display: block; font-size: 22px; }
  .card { background: var(--card); border-radius: 8px; padding: 12px; }
  table { width: 100%; border-collapse: collapse; }
  td, th {
    text-align: left; padding: 4px 8px; border-bottom: 1px solid rgba(127,127,127,.2);
    vertical-align: top;
  }
  th { color: var(--dim); font-weight: 500; }
  code { font: 12px ui-monospace, monospace; }
  .failed { color: var(--bad); }
  .fixed, .clean { color: var(--ok); }
  .skipped, .cancelled, .known { color: var(--dim); }
  .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
  .empty { color: var(--dim); font-style: italic; }
  #conn { float: right; color: var(--dim); }
  tr[data-task-id] { cursor: pointer; }
  #log { white-space: pre-wrap; font: 12px ui-monospace, monospace; }
  #logtask { text-transform: none; letter-spacing: 0; }
</style>
</head>
<body>
<span id="conn">connecting…</span>
<h1>fixloop</h1><span id="badge" class="badge">…</span><span id="meta" class="meta"></span>
<h2>Now</h2><div id="current" class="card"><span class="empty">idle</span></div>
<h2>Queues</h2><div id="counts" class="grid"></div>
<h2>Workers</h2><div id="workers"></div>
<div class="cols">
  <div>
    <h2>Pending</h2><div id="pending" data-queue="pending"></div>
    <h2>Needs input</h2><div id="needs_input" data-queue="needs_input"></div>
  </div>
  <div><h2>Finished</h2><div id="finished" data-queue="finished"></div></div>
</div>
<div class="cols">
  <div><h2>Circuit breakers</h2><div id="breakers"></div></div>
  <div><h2>Cost</h2><div id="cost" class="card"></div></div>
</div>
<h2>Flaky tests</h2><div id="flaky"></div>
<h2>Escalations</h2><div id="escalations"></div>
<h2>Transcript <code id="logtask"></code></h2>
<div id="log" class="card"><span class="empty">click a task to see its transcript</span></div>
<script>
const $ = (id) => document.getElementById(id);
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ENTITIES[c]);
const dur = (s) =>
  s == null ? '–'
  : s < 60 ? Math.round(s) + 's'
  : s < 3600 ? Math.floor(s / 60) + 'm ' + Math.round(s % 60) + 's'
  : Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm';
const what = (t) => String(t.description || '').split('\\n')[0] +
  (t.source && t.source.kind === 'github' ? ' (issue #' + t.source.issue + ')' : '');
function rows(tasks, queue) {
  if (!tasks.length) return '<span class="empty">none</span>';
  return '<table><tr><th>task</th><th>what</th><th>status</th></tr>' + tasks.map((t) =>
    '<tr data-task-id="' + esc(t.id) + '" data-queue="' + queue + '">' +
    '<td><code>' + esc(t.id) + '</code></td><td>' + esc(t.file_path || what(t)) +
    (t.result && t.result.verification_line
      ? '<br><small data-verification>' + esc(t.result.verification_line) + '</small>' : '') +
    (t.result && t.result.branch ? '<br><small>→ <code>' + esc(t.result.branch) + '</code>' +
      (/^https?:[/][/]/.test(t.result.pr_url || '')
        ? ' <a href="' + esc(t.result.pr_url) + '">pull request</a>' : '') + '</small>' : '') +
    (t.error
      ? '<br><small class="failed">' + esc(String(t.error).slice(0, 160)) + '</small>'
      : '') +
    (t.question ? '<br><small>' + esc(t.question) + '</small>' : '') +
    (t.known_failures && t.known_failures.length
      ? '<br><small class="known">' + t.known_failures.length +
        ' known failure(s), already there: ' +
        esc(t.known_failures.map((k) => k.name).join(', ').slice(0, 160)) + '</small>'
      : '') +
    (t.flaky && t.flaky.length
      ? '<br><small class="known">flaky (passed when run again): ' +
        esc(t.flaky.join(', ').slice(0, 160)) + '</small>'
      : '') +
    '</td><td class="' + esc(t.outcome || '') + '">' + esc(t.outcome || t.status) + '</td></tr>'
  ).join('') + '</table>';
}
function render(d) {
  const s = d.status;
  $('badge').textContent = s.daemon.replace('_', ' ');
  $('badge').className = 'badge ' + s.daemon;
  $('meta').textContent = (s.pid ? 'pid ' + s.pid + ' on ' + s.host + ' · ' : '') +
    (s.uptime_seconds != null ? 'up ' + dur(s.uptime_seconds) + ' · ' : '') +
    (s.heartbeat_age_seconds != null ? 'heartbeat ' + dur(s.heartbeat_age_seconds) + ' ago' : '') +
    (s.project_root ? ' · ' + s.project_root : '');
  const c = s.current_task;
  $('current').innerHTML = c
    ? '<code>' + esc(c.id) + '</code> ' + esc(c.file_path || what(c)) +
      ' — <b>' + esc(c.step || 'working') + '</b> (' + dur(c.elapsed_seconds) + ')' +
      (c.running ? '<br><small data-running>running ' +
        esc((c.running.file ? c.running.file + ' > ' : '') + (c.running.name || 'a test')) +
        ' for ' + dur(c.running.seconds) + '</small>' : '')
    : '<span class="empty">idle</span>';
  $('counts').innerHTML = Object.entries(s.queues).map(([q, n]) =>
    '<div class="count" data-count="' + q + '"><b>' + n + '</b>' + q.replace('_', ' ') + '</div>'
  ).join('');
  $('workers').innerHTML = (d.workers || []).length
    ? '<table>' + d.workers.map((w) =>
        '<tr data-worker-id="' + esc(w.id) + '"><td><code>' + esc(w.id) + '</code></td>' +
        '<td class="' + esc(w.status) + '">' + esc(w.status) + '</td><td>' +
        (w.task_id ? '<code>' + esc(w.task_id) + '</code> ' + esc(w.step || '') : '–') +
        '</td><td>' + w.done + ' done</td></tr>'
      ).join('') + '</table>'
    : '<span class="empty">no work-order workers yet</span>';
  $('pending').innerHTML = rows(d.queues.pending, 'pending');
  $('needs_input').innerHTML = rows(d.queues.needs_input, 'needs_input');
  $('finished').innerHTML = rows(d.queues.finished, 'finished');
  $('breakers').innerHTML = s.open_breakers.length
    ? '<table>' + s.open_breakers.map((b) =>
        '<tr><td><code>' + esc(b.file) + '</code></td><td class="failed">open</td>' +
        '<td>until ' + esc(b.until || '') + '</td></tr>'
      ).join('') + '</table>'
    : '<span class="empty">all closed</span>';
  $('flaky').innerHTML = (s.flaky_tests || []).length
    ? '<table>' + s.flaky_tests.map((f) =>
        '<tr data-flaky="' + esc(f.id) + '"><td><code>' + esc(f.id) + '</code></td><td>' +
        f.last_day + '× in the last day</td><td>' + f.count + ' in all</td></tr>'
      ).join('') + '</table>'
    : '<span class="empty">none flaky three times in a day</span>';
  const u = s.usage || {};
  $('cost').innerHTML = '$' + (u.run?.cost_usd ?? 0).toFixed(4) + ' this run · $' +
    (u.last_hour_cost_usd ?? 0).toFixed(4) + ' in the last hour' +
    (u.cap_usd_per_hour != null ? ' (cap $' + u.cap_usd_per_hour + ')' : '') +
    ' · ' + (u.run?.calls ?? 0) + ' calls';
  $('escalations').innerHTML = s.escalations.length
    ? '<table>' + s.escalations.map((e) =>
        '<tr><td>' + esc(e.created_at) + '</td><td>' + esc(e.title) +
        (e.repeat_count ? ' (+' + e.repeat_count + ')' : '') + '</td><td>' +
        Object.entries(e.channels || {})
          .map(([n, ch]) => esc(n) + ' ' + (ch.status === 'sent' ? '✓' : '✗'))
          .join(', ') +
        '</td></tr>'
      ).join('') + '</table>'
    : '<span class="empty">none</span>';
}
function connect() {
  const source = new EventSource('events');
  source.onopen = () => { $('conn').textContent = 'live'; };
  source.onmessage = (m) => render(JSON.parse(m.data));
  source.onerror = () => { $('conn').textContent = 'reconnecting…'; };
}
connect();
const logLine = (e) => String(e.at).slice(11, 19) + '  ' +
  (e.kind + (e.attempt ? ' ' + e.attempt + (e.turn ? '.' + e.turn : '') : '')).padEnd(11) + ' ' +
  (e.kind === 'plan' ? e.summary
  : e.kind === 'turn' ? e.tools.map((t) => t.tool + (t.path ? ' ' + t.path : '')).join(', ')
  : e.kind === 'edit' ? e.path + ' +' + e.added + ' −' + e.removed
  : e.kind === 'test' ? (e.status || '') + ' ' + e.summary
  : e.kind === 'attempt' ? e.outcome + (e.error ? ': ' + e.error : '')
  : e.kind === 'verification' ? e.line
  : e.kind === 'delivery' ? e.branch + ' (' + String(e.commit).slice(0, 7) + ')'
  : e.kind === 'end' ? (e.outcome || e.status) + (e.error ? ': ' + e.error : '')
  : e.step || '');
document.addEventListener('click', async (ev) => {
  const row = ev.target.closest && ev.target.closest('tr[data-task-id]');
  if (!row) return;
  const id = row.dataset.taskId;
  $('logtask').textContent = id;
  const r = await fetch('/tasks/' + encodeURIComponent(id) + '/log');
  const d = await r.json().catch(() => ({ error: 'no answer' }));
  $('log').textContent = r.ok ? d.entries.map(logLine).join('\\n') || 'nothing recorded yet'
    : d.error;
});
</script>
</body>
</html>
`;
