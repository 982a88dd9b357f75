#!/usr/bin/env node
/**
 * fixloop's executable: the edge where argv, the environment and the exit code meet the program.
 * Node's compile cache is turned on before the program loads, so a command runs code compiled
 * by an earlier one (NODE_COMPILE_CACHE picks its folder; NODE_DISABLE_COMPILE_CACHE=1 turns it
 * off); where it cannot be written (a sandbox), the program runs all the same.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
// A reader that stops early (`fixloop tasks --json | head`) closes the pipe: stop, quietly.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
const { runCli } = await import('./commands/program.js');

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await runCli(process.argv.slice(2), io);
