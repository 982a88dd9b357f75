#!/usr/bin/env node
/**
 * fixloop's executable: the edge where argv, the environment and the exit code meet the program.
 * Node's compile cache is turned on before the program loads, so a command runs code compiled
 * by an earlier one (NODE_COMPILE_CACHE picks its folder; NODE_DISABLE_COMPILE_CACHE=1 turns it
 * off); where it cannot be written (a sandbox), the program runs all the same.
 */
// A namespace import: on a Node without enableCompileCache the check below still gets to speak.
import * as nodeModule from 'node:module';

/** The oldest Node fixloop runs on (its dependencies need it); older ones get a clear error. */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 22)) {
  process.stderr.write(
    `fixloop needs Node 22.22 or newer (24 recommended); this is Node ${process.versions.node}\n`,
  );
  process.exit(2);
}
nodeModule.enableCompileCache?.();
const args = process.argv.slice(2);
const command = args.find((a) => !a.startsWith('-'));
/** Daemons (`watch` is also the default): their output is a view of their log, and they must
 * stop in order, never mid-task. */
const lasting = command === undefined || command === 'watch' || command === 'worker';
// A reader that stops early (`fixloop tasks --json | head`) closes the pipe: a command ends
// quietly as if stopped by SIGPIPE (exit 141); a daemon goes on without that output.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    const closed = error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
    if (!closed) throw error;
    if (!lasting) process.exit(141);
  });
const { runCli } = await import('./commands/program.js');

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await runCli(args, io);
