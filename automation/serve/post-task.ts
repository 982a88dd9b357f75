/**
 * `POST /tasks`: a work order over HTTP (CI, scripts). Only with `Authorization: Bearer
 * <STATUS_TOKEN>`; never from a browser page of another origin; the body is validated and the
 * order queued as `fixloop add` would (source `{kind: "http"}`).
 */
import type { IncomingMessage } from 'node:http';
import { isAbsolute, normalize } from 'node:path';
import * as z from 'zod/mini';
import type { Clock } from '../clock.js';
import { toPosix } from '../fs/paths.js';
import type { StateStore } from '../store/store.js';
import { PRIORITIES } from '../tasks/names.js';
import { queueWorkOrder } from '../work/queue-order.js';
import { bearer, sameToken } from './public-view.js';
import '../validate.js';

const MAX_BODY = 64 * 1024;

const orderSchema = z.object({
  description: z.string().check(z.minLength(1), z.maxLength(20_000)),
  files: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(100))),
  priority: z.optional(z.enum(PRIORITIES)),
  after: z.optional(z.array(z.string().check(z.regex(/^task_[0-9a-f]{8}$/)))),
});

export interface PostTaskDeps {
  store: StateStore;
  clock: Clock;
  token: string | undefined;
  /** Whether PROJECT_ROOT is in a git repository (work orders need one). */
  inRepository: () => boolean;
  /** Why a named file may not be read by an order, or null (see workspace/named-files.ts). */
  nameRefusal: (file: string) => string | null;
}

/** The answer to a `POST /tasks`: a status and a JSON body. */
export async function postTask(
  req: IncomingMessage,
  deps: PostTaskDeps,
): Promise<{ status: number; body: unknown }> {
  const refuse = (status: number, error: string) => ({ status, body: { error } });
  if (!deps.token) return refuse(403, 'POST /tasks is off: set STATUS_TOKEN to allow it');
  if (!sameToken(bearer(req), deps.token))
    return refuse(401, 'missing or wrong token: send Authorization: Bearer <STATUS_TOKEN>');
  // A browser page elsewhere may reach 127.0.0.1; it always says where it comes from.
  if (req.headers.origin !== undefined || req.headers['sec-fetch-site'] === 'cross-site')
    return refuse(403, 'cross-origin requests are refused');
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    return refuse(415, 'send the order as JSON (Content-Type: application/json)');
  const raw = await readBody(req);
  if (raw === undefined) return refuse(413, `the body is over ${MAX_BODY} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return refuse(400, 'the body is not JSON');
  }
  const parsed = orderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(400, `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  const files = (parsed.data.files ?? []).map((f) => toPosix(normalize(f)));
  const outside = files.find((f) => isAbsolute(f) || f === '..' || f.startsWith('../'));
  if (outside) return refuse(400, `files: ${outside} is outside the project`);
  for (const f of files) {
    const why = deps.nameRefusal(f);
    if (why) return refuse(400, `files: ${f}: ${why}`);
  }
  if (!deps.inRepository())
    return refuse(409, 'the project is not in a git repository; work orders need one');
  try {
    const task = await queueWorkOrder(deps, {
      ...parsed.data,
      description: parsed.data.description,
      files,
      source: { kind: 'http' },
    });
    return { status: 201, body: task };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'TASK_NOT_FOUND' || code === 'BAD_ARGUMENTS')
      return refuse(400, (error as Error).message);
    throw error;
  }
}

/** The body as text, or undefined past MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
