/**
 * The state as this process last read or wrote it, and the serialiser that writes a new state by
 * validating and redacting only the tasks that changed. With thousands of pending tasks a full
 * parse and validation costs ~90 ms and a full validation and redaction on write ~95 ms; a save
 * reads and writes the state several times, so both are done once per change, not per use.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { redactedJson } from '../redact.js';
import { QUEUE_NAMES, type State, stateSchema, type Task, taskSchema } from './schema.js';

/** What identifies a version of the file: device, inode, size, modification time in ns. */
export async function signatureOf(file: string): Promise<string> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/** The digest field of a written state: a file that still matches it needs no validation. */
const UNSEALED = `"integrity": "${'0'.repeat(40)}"`;
const SEALED = /,\n {2}"integrity": "([0-9a-f]{40})"\n\}\n$/;

/**
 * Whether `bytes` are exactly what a fixloop process validated and wrote: the last field is the
 * digest of the text with that field zeroed. A file edited by hand no longer matches. (Bytes, not
 * text: hashing 3 MB of bytes costs a fifth of hashing the same as a string.)
 */
export function isSealed(bytes: Buffer): boolean {
  const found = SEALED.exec(bytes.subarray(-80).toString('latin1'));
  if (!found?.[1]) return false;
  const at = bytes.length - found[0].length;
  const hash = createHash('sha1').update(bytes.subarray(0, at));
  return hash.update(`,\n  ${UNSEALED}\n}\n`).digest('hex') === found[1];
}

/**
 * The file from its pieces (the last one ends in the zeroed digest field), as bytes and text with
 * the digest filled in. Pieces come as text and, for the large ones, bytes already encoded: the
 * bytes are one copy, the text a concatenation (not copied until read).
 */
function seal(pieces: Array<{ text: string; bytes?: Buffer }>): { text: string; bytes: Buffer } {
  const bytes = Buffer.concat(pieces.map((p) => p.bytes ?? Buffer.from(p.text)));
  const digest = createHash('sha1').update(bytes).digest('hex');
  // The field is ASCII and last: its place counts the same in bytes and in characters from the end.
  const tail = `"${digest}"\n}\n`;
  bytes.write(tail, bytes.length - tail.length, 'latin1');
  const last = pieces.at(-1)?.text ?? '';
  let text = '';
  for (const p of pieces.slice(0, -1)) text += p.text;
  return { text: text + last.slice(0, last.length - tail.length) + tail, bytes };
}

/** A state as read from (or written to) the file: frozen, so it can be handed out unshared. */
export interface Snapshot {
  signature: string;
  text: string;
  /** Undefined until asked for twice (a command that reads once never pays for freezing). */
  state: State | undefined;
  /** A copy of `state` to change, made while idle: the next update does not wait for it. */
  spare?: State;
}

/** Freezes `value` and everything in it (objects already frozen are not walked again). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/** A task as last written: its compact text, its text in the file, and the frozen result. */
interface Written {
  source: string;
  out: string;
  frozen: Task;
  /** Redaction changed nothing in it: `frozen` is what reading `out` back would give. */
  exact: boolean;
}

const INDENT = '      '; // a task sits at depth 3 (state → queues → queue)

/** A queue's text in the file, and its bytes (encoded once, reused while the queue is the same). */
type List = { text: string; bytes: Buffer };

/**
 * Serialises states the way a full `redactedJson(stateSchema.parse(state), secrets, 2)` would,
 * reusing the text of tasks unchanged since the last call.
 */
export class StateSerializer {
  private written = new Map<string, Written>();
  private readonly lists = new Map<string, { written: Written[]; list: List }>();
  private last: { outer: string; lists: unknown[]; sealed: ReturnType<typeof seal> } | undefined;
  private readonly marker = `fixloop-queue-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly secrets: readonly string[]) {}

  /**
   * The file's text for `state` (validated: throws as stateSchema.parse would), and the state it
   * holds, frozen, when reading the text back would give exactly that (nothing was redacted).
   */
  serialize(state: State): { text: string; bytes: Buffer; state: State | undefined } {
    const next = new Map<string, Written>();
    let exact = true;
    const queues: Record<string, { text: List; tasks: Task[] }> = {};
    for (const name of QUEUE_NAMES) {
      const written: Written[] = [];
      for (const task of state.queues[name]) {
        const w = this.task(task);
        next.set(task.id, w);
        exact &&= w.exact;
        written.push(w);
      }
      queues[name] = { text: this.list(name, written), tasks: written.map((w) => w.frozen) };
    }
    this.written = next;
    const empty = Object.fromEntries(QUEUE_NAMES.map((q) => [q, []]));
    const { integrity: _, ...top } = stateSchema.parse({
      ...state,
      queues: { ...state.queues, ...empty },
    });
    const marked = Object.fromEntries(QUEUE_NAMES.map((q) => [q, `${this.marker}:${q}`]));
    // The digest comes last, where a reader finds it without parsing (isSealed).
    const shell = { ...top, queues: { ...top.queues, ...marked }, integrity: '0'.repeat(40) };
    const outer = redactedJson(shell, this.secrets, 2);
    exact &&= outer === JSON.stringify(shell, null, 2);
    // Odd pieces are the queue names between the markers: one concatenation, no search.
    const pieces = outer.split(new RegExp(`"${this.marker}:(\\w+)"`));
    const lists = QUEUE_NAMES.map((q) => queues[q]?.text);
    // Nothing changed since the last call: the same text (the store then writes nothing).
    const last = this.last;
    const same = last && last.outer === outer && lists.every((l, i) => l === last.lists[i]);
    const sealed = same
      ? last.sealed
      : seal(
          // The last piece is the shell's end, with the digest field: the file ends in a newline.
          pieces.map((p, i) =>
            i % 2
              ? (queues[p]?.text ?? { text: '[]' })
              : { text: i === pieces.length - 1 ? `${p}\n` : p },
          ),
        );
    this.last = { outer, lists, sealed };
    const { text, bytes } = sealed;
    if (!exact) return { text, bytes, state: undefined };
    const tasks = Object.fromEntries(QUEUE_NAMES.map((q) => [q, queues[q]?.tasks ?? []]));
    const held = deepFreeze({ ...top, queues: { ...top.queues, ...tasks } }) as State;
    return { text, bytes, state: held };
  }

  /** A queue's text: the last one when its tasks are the same (5,000 pending rarely change). */
  private list(name: string, written: Written[]): List {
    const last = this.lists.get(name);
    if (last?.written.length === written.length && last.written.every((w, i) => w === written[i]))
      return last.list;
    const parts = written.map((w) => w.out);
    const text = parts.length ? `[\n${INDENT}${parts.join(`,\n${INDENT}`)}\n    ]` : '[]';
    const list = { text, bytes: Buffer.from(text) };
    this.lists.set(name, { written, list });
    return list;
  }

  /** One task's text: reused when the task is unchanged, else validated and redacted anew. */
  private task(task: Task): Written {
    const source = JSON.stringify(task);
    const known = this.written.get(task.id);
    if (known?.source === source) return known;
    const parsed = taskSchema.parse(task);
    const plain = JSON.stringify(parsed, null, 2);
    const redacted = redactedJson(parsed, this.secrets, 2);
    const out = redacted.replaceAll('\n', `\n${INDENT}`);
    const frozen = deepFreeze(redacted === plain ? parsed : (JSON.parse(redacted) as Task));
    // Keyed by the validated form: the next state's copy of this task serialises to it.
    return { source: JSON.stringify(frozen), out, frozen, exact: redacted === plain };
  }
}
