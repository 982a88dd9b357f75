/**
 * The hourly cost cap across every worker of a shared queue: the last hour's spend and the calls
 * under way live in Redis (per repository queue), and one call is admitted at a time atomically
 * (a Lua script), so machines together hold MAX_COST_USD_PER_HOUR as one process does. A
 * reservation expires on its own (a worker that died mid-call does not hold the cap forever).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SpendLedger } from '../claude/usage.js';
import type { Config } from '../config/config.js';
import { createGit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import { originUrl, queueNameFor } from './name.js';
import { bounded, lastingRedis } from './redis.js';

const HOUR = 3_600_000;
/** A reservation not released within this long is dropped (its worker died). */
const RESERVATION_TTL = 20 * 60_000;
/** How long one ledger request may take before the caller falls back to its own count. */
const ANSWER_MS = 3000;

/** ARGV: now, hour ago, cap, wanted, mode (call|budget), id, expiry, estimate. */
const HOLD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local spent = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  spent = spent + tonumber(string.match(m, '^[^:]+:([^:]+)'))
end
local reserved = 0
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do
  local usd, expiry = string.match(held[i + 1], '^([^:]+):(.+)$')
  if tonumber(expiry) < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[2], held[i])
  else
    reserved = reserved + tonumber(usd)
  end
end
local cap = tonumber(ARGV[3])
if spent >= cap then return {'cap', tostring(spent)} end
local want = tonumber(ARGV[4])
local usd = want
if ARGV[5] == 'call' then
  if reserved > 0 and spent + reserved + want > cap then return {'wait', tostring(spent)} end
else
  local left = cap - spent - reserved
  if reserved > 0 and left < math.min(want, tonumber(ARGV[8])) then
    return {'wait', tostring(spent)}
  end
  if reserved == 0 then left = cap - spent end
  usd = math.min(want, left)
end
redis.call('HSET', KEYS[2], ARGV[6], tostring(usd) .. ':' .. ARGV[7])
redis.call('PEXPIRE', KEYS[2], ${RESERVATION_TTL})
return {'held', tostring(usd), tostring(spent)}
`;

/** The ledger of the queue `name` on `redis`. */
export function redisLedger(redis: Redis, name: string, now = () => Date.now()): SpendLedger {
  const close = async () => redis.disconnect();
  const keys = [`fixloop:spend:${name}`, `fixloop:reserved:${name}`] as const;
  const ask = <T>(work: Promise<T>) =>
    bounded(work, ANSWER_MS, () => {
      throw new Error('Redis did not answer the spend ledger in time');
    });
  return {
    async hold(request) {
      const id = randomBytes(8).toString('hex');
      const t = now();
      const answer = (await ask(
        redis.eval(
          HOLD,
          2,
          ...keys,
          String(t),
          String(t - HOUR),
          String(request.capUsd),
          String(request.usd),
          request.mode,
          id,
          String(t + RESERVATION_TTL),
          String(request.estimateUsd),
        ),
      )) as string[];
      const [kind, a, b] = answer;
      if (kind === 'held') return { kind, id, usd: Number(a), spent: Number(b) };
      return { kind: kind === 'cap' ? 'cap' : 'wait', spent: Number(a) };
    },
    async release(id) {
      await ask(redis.hdel(keys[1], id));
    },
    async add(usd) {
      const t = now();
      await ask(redis.zadd(keys[0], t, `${t}:${usd}:${randomBytes(4).toString('hex')}`));
      await ask(redis.pexpire(keys[0], HOUR * 2));
    },
    close,
  };
}

/**
 * The ledger of `config`'s shared queue (a connection of its own, opened at first use), or
 * undefined without QUEUE_URL. Resolves to undefined when the origin cannot be read.
 */
export function sharedLedger(config: Config): (() => Promise<SpendLedger | undefined>) | undefined {
  const url = config.queue.url;
  if (!url) return undefined;
  let opened: Promise<SpendLedger | undefined> | undefined;
  return () => {
    opened ??= (async () => {
      const repoRoot = repositoryOf(config.projectRoot);
      if (!repoRoot) return undefined;
      const name = queueNameFor(await originUrl(createGit(config.childEnv), repoRoot));
      const redis = lastingRedis(url);
      redis.on('error', () => {});
      return redisLedger(redis, name);
    })().catch(() => undefined);
    return opened;
  };
}
