/** Small HTTP helpers of the status server: redacted JSON, and who may ask. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactedJson } from '../redact.js';

/** Sends `body` as JSON, every string redacted (the state may hold what an old fixloop stored). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  secrets: readonly string[],
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(redactedJson(body, secrets, 2));
}

/**
 * Only requests addressed to this machine by name (127.0.0.1, localhost, [::1]) are answered: a
 * page elsewhere that rebinds its DNS name to 127.0.0.1 still sends its own name as Host.
 */
export function localHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}
