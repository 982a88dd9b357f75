/**
 * A Claude Code session's sandbox: the CLI (and every command it runs) reaches the model API
 * through a relay, and nothing else on the network; it cannot read the home folder
 * or write outside its tree. SANDBOX_NETWORK=allow gives the network back. Real bwrap, real
 * sockets, a real HTTP server as the API.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processScratch } from '../../automation/fs/scratch.js';
import { isolationFor } from '../support/sandbox.js';
import { tempDir } from '../support/tmp.js';

const servers: Server[] = [];
const home = tempDir('fixloop-home-');
const realHome = process.env.HOME;
beforeAll(() => {
  // The sandbox hides the home folder of this process: a test one, with a key in it.
  process.env.HOME = home;
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh/id_ed25519'), 'the-developers-private-key');
});
afterAll(() => {
  process.env.HOME = realHome;
  for (const s of servers) s.close();
});

async function listen<S extends Server>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** The model API: answers with the path and body it got. */
async function fakeApi() {
  const paths: string[] = [];
  const port = await listen(
    createHttp((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        paths.push(req.url ?? '');
        res.end(`pong ${body}`);
      });
    }),
  );
  return { url: `http://127.0.0.1:${port}`, paths };
}

/** What a command in the session manages: the API's answer, another server, a read, a write. */
const SCRIPT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
const [port, secret, outside] = process.argv.slice(1);
const api = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', body: 'hi' })
  .then((r) => r.text(), (e) => 'failed: ' + e.message);
const other = await new Promise((done) => {
  const s = connect(Number(port), '127.0.0.1');
  s.on('connect', () => { s.destroy(); done(true); });
  s.on('error', () => done(false));
});
let read = false;
try { readFileSync(secret); read = true; } catch {}
try { writeFileSync(outside, 'pwned'); } catch {}
console.log(JSON.stringify({ api, other, read }));
`;

async function session(env: Record<string, string>) {
  const tree = tempDir('fixloop-tree-');
  const outside = join(tempDir('fixloop-outside-'), 'pwned');
  const api = await fakeApi();
  let reached = 0;
  const port = await listen(
    createServer((s) => {
      reached++;
      s.destroy();
    }),
  );
  const { agent } = isolationFor(tree, env);
  // The CLI's own environment names the API; without a network the bridge points it elsewhere.
  const base = { ANTHROPIC_BASE_URL: `${api.url}/gateway` };
  const opened = await agent(tree, base);
  const args = ['--input-type=module', '-e', SCRIPT, String(port), join(home, '.ssh/id_ed25519')];
  const boxed = opened.wrap(process.execPath, [...args, outside], tree);
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      boxed.file,
      boxed.args,
      { cwd: tree, env: { PATH: process.env.PATH ?? '', ...base } },
      (e, o) => (e ? reject(e) : resolve(o)),
    ),
  );
  await opened.close();
  return { seen: JSON.parse(out), api, reached, outside, boxed };
}

describe("a Claude Code session's sandbox", () => {
  it('reaches the model API through the relay, and nothing else gets out', async () => {
    const { seen, api, reached, outside, boxed } = await session({});
    expect(seen).toEqual({ api: 'pong hi', other: false, read: false });
    // The base URL's path is kept: a gateway under a prefix works.
    expect(api.paths).toEqual(['/gateway/v1/messages']);
    expect(reached).toBe(0);
    expect(existsSync(outside)).toBe(false);
    expect(boxed.args).toContain('--unshare-net');
    // The relay's socket is gone with the session.
    const sockets = readdirSync(processScratch.dir()).filter((f) => f.endsWith('.sock'));
    expect(sockets).toEqual([]);
  }, 60_000);

  it('SANDBOX_NETWORK=allow: the network is as usual, the file rules stay', async () => {
    const { seen, reached, outside, boxed } = await session({ SANDBOX_NETWORK: 'allow' });
    expect(seen).toEqual({ api: 'pong hi', other: true, read: false });
    expect(reached).toBe(1);
    expect(existsSync(outside)).toBe(false);
    expect(boxed.args).not.toContain('--unshare-net');
  }, 60_000);
});
