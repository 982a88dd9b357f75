/**
 * A real redis-server for the shared-queue tests: started on a free port in a temp dir, with
 * persistence on (append-only file) and `noeviction`, as the README asks; stopped and restarted
 * on the same port and data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach } from 'vitest';
import { tempDir } from './tmp.js';

const running = new Set<RedisServer>();

afterEach(async () => {
  for (const r of running) await r.stop();
  running.clear();
});

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = tempDir('fixloop-redis-');

  constructor(
    readonly port: number,
    /** `requirepass`: the URL then carries it, as a real deployment's would. */
    readonly password?: string,
    /** More redis-server arguments (they win over the defaults above them). */
    private readonly extra: string[] = [],
  ) {}

  get url(): string {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  /** Starts it; resolves when it accepts connections. */
  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      ...(this.password ? ['--requirepass', this.password] : []),
      ...this.extra,
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(this);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis did not start:\n${output}`)), 15_000);
      child.stdout?.on('data', (d) => {
        output += d;
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  }

  /** Pauses it (SIGSTOP): it keeps accepting connections and never answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused server go on (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops it (SIGTERM: the append-only file is flushed), resolving once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGCONT'); // a paused one could not act on SIGTERM
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

/** A started redis-server on a free port. */
export async function startRedis(password?: string, extra: string[] = []): Promise<RedisServer> {
  const server = new RedisServer(await freePort(), password, extra);
  await server.start();
  return server;
}
