/** Human rendering of `fixloop logs`: one line per transcript entry, oldest first. */
import type { TranscriptEntry } from '../transcript/entry.js';
import type { Style } from './style.js';

const time = (at: string) => (/T(\d\d:\d\d:\d\d)/.exec(at)?.[1] ?? at).padEnd(8);
const label = (text: string) => text.padEnd(11);
const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

/** What one entry says, after its time and label. */
function body(e: TranscriptEntry, s: Style): [string, string] {
  switch (e.kind) {
    case 'step':
      return ['step', s.dim(e.step)];
    case 'plan': {
      const files = e.files.length ? `; files ${e.files.join(', ')}` : '';
      const fallback = e.fallback ? s.yellow(` (basic plan: ${e.fallback})`) : '';
      const steps = e.steps.map((step, i) => `\n${' '.repeat(21)}${i + 1}. ${step}`).join('');
      return ['plan', `${e.summary}${files}${fallback}${steps}`];
    }
    case 'turn': {
      const tools = e.tools.map((t) => (t.path ? `${t.tool} ${t.path}` : t.tool)).join(', ');
      const said = e.said ? s.dim(` “${e.said}”`) : '';
      return [`turn ${e.attempt}.${e.turn}`, `${tools || 'no tool call'}${said}`];
    }
    case 'edit':
      return [`edit ${e.attempt}`, `${e.path} ${s.green(`+${e.added}`)} ${s.red(`−${e.removed}`)}`];
    case 'test': {
      const mark = e.status === 'passed' ? s.green('✓') : e.status ? s.red('✗') : '·';
      const timed = /\d ms\b|\d s\b/.test(e.summary);
      const took = e.duration_ms && !timed ? ` (${seconds(e.duration_ms)})` : '';
      const command = e.command ? s.dim(`  ${e.command}`) : '';
      return [e.attempt ? `test ${e.attempt}` : 'test', `${mark} ${e.summary}${took}${command}`];
    }
    case 'attempt': {
      const why = e.error ? `: ${e.error}` : '';
      const outcome = e.outcome === 'passed' ? s.green(e.outcome) : s.yellow(e.outcome);
      return [`attempt ${e.attempt}`, `${outcome}${why}`];
    }
    case 'verification':
      return ['verified', e.line];
    case 'delivery': {
      const pushed = e.pushed ? 'pushed' : e.push_error ? s.red(`not pushed: ${e.push_error}`) : '';
      const pr = e.pr_url ? `; pull request ${e.pr_url}` : '';
      const commit = e.commit.slice(0, 7);
      return ['delivered', `${e.branch} (${commit})${pushed ? `, ${pushed}` : ''}${pr}`];
    }
    case 'end': {
      if (e.status === 'needs_input') return ['end', s.yellow(`needs your input: ${e.question}`)];
      const outcome = e.outcome ?? e.status;
      const text = e.status === 'failed' ? s.red(outcome) : s.green(outcome);
      return ['end', `${text}${e.error ? `: ${e.error}` : ''}`];
    }
    case 'truncated':
      return ['…', s.dim(`transcript cut at ${e.bytes} bytes; its ending follows`)];
    default:
      return [String((e as { kind: unknown }).kind), ''];
  }
}

/** One entry as a line of `fixloop logs`. */
export function formatEntry(entry: TranscriptEntry, s: Style): string {
  const [name, text] = body(entry, s);
  return `${s.dim(time(entry.at))} ${label(name)} ${text}`;
}

type TaskLine = { id: string; type: string; status: string; description: string };

/** The line above a transcript: the task, its type and status, and where the lines come from. */
export function formatHeading(task: TaskLine, source: string, s: Style): string {
  const first = task.description.split('\n')[0] ?? '';
  const from = source === 'transcript' ? '' : s.dim(` (from the ${source})`);
  return `${s.bold(task.id)} ${task.type}, ${task.status}: ${first}${from}`;
}

/** The heading and every entry of a task's transcript. */
export function formatLog(
  log: { task: TaskLine; source: string; entries: readonly TranscriptEntry[] },
  s: Style,
): string {
  const head = formatHeading(log.task, log.source, s);
  if (!log.entries.length) return `${head}\n${s.dim('Nothing recorded yet.')}`;
  return [head, ...log.entries.map((e) => formatEntry(e, s))].join('\n');
}
