/**
 * The shared workers' records in Redis (one hash per queue): each worker process writes its own
 * slots' records on every change and every heartbeat; a record not refreshed within three
 * heartbeats belongs to a worker that died without saying so, and reads as `lost`.
 */
import type { Redis } from 'ioredis';
import type { WorkerRecord } from '../lanes/workers.js';

/** A record as stored: with the heartbeat its writer promised, so readers judge it by that. */
export interface BoardRecord extends WorkerRecord {
  beat_ms: number;
}

/** Records of stopped or lost workers older than this are dropped when read. */
const FORGET_AFTER_MS = 24 * 3600_000;

/** The records as readers see them (pure): `lost` when the heartbeat expired. */
export function judgeRecords(
  stored: Record<string, BoardRecord>,
  nowMs: number,
): { workers: Record<string, WorkerRecord>; forget: string[] } {
  const workers: Record<string, WorkerRecord> = {};
  const forget: string[] = [];
  for (const [id, { beat_ms, ...w }] of Object.entries(stored)) {
    const age = nowMs - Date.parse(w.last_seen);
    const expired = w.status !== 'stopped' && age > 3 * beat_ms;
    if ((w.status === 'stopped' || expired) && age > FORGET_AFTER_MS) {
      forget.push(id);
      continue;
    }
    workers[id] = expired ? { ...w, status: 'lost', task_id: null, step: null } : w;
  }
  return { workers, forget };
}

export class WorkerBoard {
  constructor(
    private readonly redis: Redis,
    /** The hash's key. */
    private readonly key: string,
  ) {}

  /** Writes records (one round trip). */
  async put(records: Record<string, BoardRecord>): Promise<void> {
    const fields = Object.entries(records).flatMap(([id, r]) => [id, JSON.stringify(r)]);
    if (fields.length) await this.redis.hset(this.key, ...fields);
  }

  /** Every worker, judged at `nowMs`; long-gone records are removed. */
  async list(nowMs: number): Promise<Record<string, WorkerRecord>> {
    const raw = await this.redis.hgetall(this.key);
    const stored: Record<string, BoardRecord> = {};
    for (const [id, json] of Object.entries(raw)) {
      try {
        stored[id] = JSON.parse(json) as BoardRecord;
      } catch {
        /* a record this version cannot read is skipped */
      }
    }
    const { workers, forget } = judgeRecords(stored, nowMs);
    if (forget.length) await this.redis.hdel(this.key, ...forget);
    return workers;
  }
}
