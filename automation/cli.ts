#!/usr/bin/env node
/**
 * fixloop's executable: the edge where argv, the environment and the exit code meet the program.
 */
import { runCli } from './commands/program.js';

const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await runCli(process.argv.slice(2), io);
