/**
 * Migration hook: upgrades older state documents, one version step at a time, before validation.
 */
import { StateVersionError } from './errors.js';
import { QUEUE_NAMES, STATE_VERSION } from './schema.js';

type Doc = Record<string, unknown>;

/** migrations[n] turns a version-n document into version n+1. */
const migrations: Record<number, (doc: Doc) => Doc> = {
  // 0: documents without `version` (the Python orchestrator this replaces): fill the task fields it
  // lacked.
  0: (doc) => {
    const queues = (doc.queues ?? {}) as Record<string, unknown>;
    for (const name of QUEUE_NAMES) {
      const list = queues[name];
      if (!Array.isArray(list)) continue;
      queues[name] = list.map((t: Doc) => ({
        priority: 'normal',
        updated_at: t.created_at,
        attempts: [],
        retry_count: 0,
        file_path: null,
        ...t,
        status: name,
      }));
    }
    return { ...doc, queues, version: 1 };
  },
};

/**
 * Returns `doc` upgraded to STATE_VERSION; throws StateVersionError for a newer format. Non-objects
 * pass through (validation rejects them).
 */
export function migrate(doc: unknown, file: string): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  let current = doc as Doc;
  let version = current.version === undefined ? 0 : current.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) return doc;
  if (version > STATE_VERSION) throw new StateVersionError(file, version);
  while (version < STATE_VERSION) {
    const step = migrations[version];
    if (!step) return doc;
    current = step(current);
    version += 1;
  }
  return current;
}
