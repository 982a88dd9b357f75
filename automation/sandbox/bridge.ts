#!/usr/bin/env node
/**
 * Runs inside a sandbox without a network, in front of the command it is given: for each route
 * (an environment variable → a relay's Unix socket) it listens on the sandbox's loopback, points
 * the variable there and carries each connection to the socket (relay.ts sends it on). The
 * command gets no other way out; its exit code and signals pass through.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const [spec, file, ...args] = process.argv.slice(2);
if (!spec || !file) {
  process.stderr.write('usage: bridge.js <{"VAR": "socket"}> <command> [args...]\n');
  process.exit(2);
}
const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' };
// A proxy outside cannot be reached from in here: the relays are the way out.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy'])
  delete env[name];

for (const [name, socket] of Object.entries(JSON.parse(spec) as Record<string, string>)) {
  const server = createServer((inside) => {
    const out = connect(socket);
    inside.on('error', () => out.destroy());
    out.on('error', () => inside.destroy());
    inside.pipe(out).pipe(inside);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address && typeof address === 'object') env[name] = `http://127.0.0.1:${address.port}`;
  server.unref();
}

const child = spawn(file, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`could not start ${file}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
