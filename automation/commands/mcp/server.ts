/**
 * `fixloop mcp`: a Model Context Protocol server on stdio (CONTRACT.md §9), so the developer's
 * own Claude (Claude Code, Claude Desktop, an IDE agent) queues, follows, reviews and applies
 * work orders. It queues into the same state (or shared queue) as the CLI; the daemon carries the
 * orders out. Nothing but protocol messages is written to stdout.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RawEnv } from '../../config/env-source.js';
import { fixloopPackage } from '../../fs/package-root.js';
import { formatLog } from '../../output/print-logs.js';
import { createStyle } from '../../output/style.js';
import { redact } from '../../redact.js';
import { loadContext } from '../context.js';
import { describeError } from '../exit-codes.js';
import { taskLog } from '../logs.js';
import { listTasks } from '../tasks.js';
import { registerTools } from './tools.js';

const INSTRUCTIONS = `fixloop carries out work orders in this project: each is a described change
done by a headless Claude on its own branch (fixloop/<task-id>) in an isolated git worktree,
verified by the project's tests. Queue one with add_work_order (split: true for a bigger request),
follow it with get_task (wait_seconds to wait for it), read its transcript as the resource
fixloop://tasks/<id>/log, review it with get_diff, and bring it into the working tree with
apply_task when the person agrees. Orders run while \`fixloop watch\` runs (status says whether).`;

/** Serves until the client disconnects; resolves to the exit code (0). */
export async function serveMcp(io: {
  cwd: string;
  env: RawEnv;
  stderr: { write(s: string): unknown };
}): Promise<number> {
  // Bad configuration fails here, before the protocol starts (exit 2 with the CLI's sentence).
  const ctx = loadContext(io);
  const server = new McpServer(
    { name: 'fixloop', version: fixloopPackage().version },
    { instructions: INSTRUCTIONS },
  );
  registerTools(server, ctx);
  const plain = createStyle(false);
  server.registerResource(
    'task-log',
    new ResourceTemplate('fixloop://tasks/{id}/log', {
      list: async () => ({
        resources: (await listTasks(ctx)).data.tasks.slice(0, 50).map((t) => ({
          uri: `fixloop://tasks/${t.id}/log`,
          name: `${t.id} log`,
          description: t.description.split('\n')[0]?.slice(0, 120),
          mimeType: 'text/plain',
        })),
      }),
    }),
    {
      title: "A task's transcript",
      description: 'fixloop logs <id>: plan, model turns, edits, test runs, delivery',
      mimeType: 'text/plain',
    },
    async (uri, { id }) => {
      try {
        const log = await taskLog(ctx, String(id));
        const text = redact(formatLog(log.data, plain), ctx.config.secrets);
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
      } catch (error) {
        throw new Error(describeError(error).message);
      }
    },
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    process.stdin.once('end', () => void server.close().then(resolve, resolve));
  });
  await server.connect(transport);
  ctx.logger.info({ pid: process.pid }, 'MCP server started');
  await closed;
  return 0;
}
