#!/usr/bin/env node
/** fixloop's executable: the edge where argv, the environment and the exit code meet the program. */
import { runCli } from './commands/program.js';
import { registerDemo, registerWatch } from './commands/watch.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, [registerWatch, registerDemo]);
process.exitCode = code;
