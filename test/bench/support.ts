/** Benchmark helpers: percentiles, markdown tables, and one results file per run. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../artifacts/bench.md', import.meta.url));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}
export const median = (v: number[]) => percentile(v, 50);
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The machine, for the table header. */
export function machine(): string {
  const model = cpus()[0]?.model.trim() ?? 'cpu';
  const gib = Math.round(totalmem() / 2 ** 30);
  return `${cpus().length} × ${model}, ${gib} GiB, Node ${process.version}`;
}

/** Prints a markdown table and appends it to test/artifacts/bench.md. */
export function report(
  title: string,
  header: string[],
  rows: Array<Array<string | number>>,
  notes: string[] = [],
): void {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const text = [
    `### ${title}`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    ...notes.map((n) => `${n}  `),
    '',
  ].join('\n');
  process.stdout.write(`\n${text}\n`);
  mkdirSync(fileURLToPath(new URL('../artifacts/', import.meta.url)), { recursive: true });
  appendFileSync(OUT, `${text}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
