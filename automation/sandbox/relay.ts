/**
 * The way out of a sandbox without a network: for each route, an HTTP server on a Unix socket in
 * fixloop's temp folder (bound into the sandbox) that passes every request on to one base URL —
 * the model API — and nowhere else. Inside, bridge.ts listens on loopback for
 * the process and carries bytes to the socket; here the request is re-sent (TLS included).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Headers of one hop only (RFC 9110 §7.6.1): not passed on. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/** One route: requests to the socket reach `target` (a base URL; its path is kept as a prefix). */
export interface RelayRoute {
  socket: string;
  target: string;
}

/** Open relays; `stop` closes them and removes their sockets. */
export interface Relay {
  routes: Record<string, RelayRoute>;
  stop(): Promise<void>;
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const prefix = target.pathname.replace(/\/$/, '');
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers))
    if (!HOP.has(name) && value !== undefined) headers[name] = value;
  headers.host = target.host;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const out = send(
    target,
    { method: req.method ?? 'GET', path: `${prefix}${req.url ?? '/'}`, headers },
    (answer) => {
      const back: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers))
        if (!HOP.has(name) && value !== undefined) back[name] = value;
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  out.on('error', (error) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`fixloop's relay could not reach ${target.origin}: ${error.message}\n`);
  });
  req.on('error', () => out.destroy());
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  req.pipe(out);
}

/** Starts a relay per named target, their sockets in `dir` (a folder the sandbox sees). */
export async function startRelay(dir: string, targets: Record<string, string>): Promise<Relay> {
  const servers: Server[] = [];
  const routes: Record<string, RelayRoute> = {};
  const stop = async () => {
    await Promise.all(
      servers.map((s) => new Promise<void>((r) => s.close(() => r()).closeAllConnections())),
    );
    await Promise.all(Object.values(routes).map((r) => rm(r.socket, { force: true })));
  };
  try {
    for (const [name, target] of Object.entries(targets)) {
      const url = new URL(target);
      const socket = `${dir}/relay-${randomBytes(4).toString('hex')}.sock`;
      const server = createServer((req, res) => forward(url, req, res));
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socket, () => resolve());
      });
      routes[name] = { socket, target };
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { routes, stop };
}
