/** Reads a state file's text: JSON, migrated to the current version, validated. */
import { StateVersionError } from './errors.js';
import { migrate } from './migrate.js';
import { STATE_VERSION, type State, stateSchema } from './schema.js';

/** The state in `text`, or why it is unusable; throws StateVersionError for a newer format. */
export function parseState(
  text: string,
  file: string,
  /** The file's bytes say fixloop wrote and validated this text (isSealed). */
  sealed = false,
): { ok: true; state: State } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const why = `it is not valid JSON (${(error as Error).message})`;
    return { ok: false, reason: text.trim() === '' ? 'it is empty' : why };
  }
  // Written and validated by fixloop, unchanged since: validating thousands of tasks again would
  // cost ~70 ms of every command that reads it.
  if (sealed && (doc as State).version === STATE_VERSION) return withoutSeal(doc as State);
  let migrated: unknown;
  try {
    migrated = migrate(doc, file);
  } catch (error) {
    if (error instanceof StateVersionError) throw error;
    // A document of the wrong shape can break a migration step: it is unusable, not a crash.
    return { ok: false, reason: `it could not be read as a state (${(error as Error).message})` };
  }
  const parsed = stateSchema.safeParse(migrated);
  if (parsed.success) return withoutSeal(parsed.data);
  const first = parsed.error.issues[0];
  return {
    ok: false,
    reason:
      'it does not match the state schema ' +
      `(${first?.path.join('.') || 'root'}: ${first?.message})`,
  };
}

/** The state without its digest field (each write seals anew). */
function withoutSeal(state: State): { ok: true; state: State } {
  const { integrity: _, ...rest } = state;
  return { ok: true, state: rest as State };
}
