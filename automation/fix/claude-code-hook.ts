#!/usr/bin/env node
/** Claude Code hook command: forwards the hook input to fixloop's gate and prints its decision. Fails closed. */

const deny = (reason: string) => ({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });

let raw = '';
for await (const chunk of process.stdin) raw += chunk;
let output: unknown = {};
try {
  const input = JSON.parse(raw) as { hook_event_name?: string };
  const url = process.env.FIXLOOP_GATE_URL;
  if (!url) throw new Error('FIXLOOP_GATE_URL is not set');
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${process.env.FIXLOOP_GATE_TOKEN ?? ''}`, 'content-type': 'application/json' }, body: raw, signal: AbortSignal.timeout(30_000) });
  const d = (await res.json()) as { permissionDecision?: 'allow' | 'deny'; reason?: string };
  if (input.hook_event_name === 'PreToolUse') {
    output = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: d.permissionDecision ?? 'deny', permissionDecisionReason: d.reason ?? 'allowed by fixloop' } };
  }
} catch (error) {
  output = deny(`fixloop gate unavailable: ${(error as Error).message}`);
}
process.stdout.write(JSON.stringify(output));
