#!/usr/bin/env node
/**
 * Claude Code hook command: forwards the hook input to fixloop's gate and prints its decision.
 * Fails closed: any error exits with code 2, which makes Claude Code block the tool call.
 */
try {
  // Decoded once: a multi-byte character split across stdin chunks must not become U+FFFD.
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const input = JSON.parse(raw) as { hook_event_name?: string };
  const url = process.env.FIXLOOP_GATE_URL;
  if (!url) throw new Error('FIXLOOP_GATE_URL is not set');
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${process.env.FIXLOOP_GATE_TOKEN ?? ''}`,
      'content-type': 'application/json',
    },
    body: raw,
    // The gate may wait for the developer to pause; Claude Code's hook timeout is the same hour.
    signal: AbortSignal.timeout(3_600_000),
  });
  if (!res.ok) throw new Error(`the gate answered HTTP ${res.status}`);
  const d = (await res.json()) as { permissionDecision?: 'allow' | 'deny'; reason?: string };
  if (input.hook_event_name === 'PreToolUse') {
    const decision = d.permissionDecision === 'allow' ? 'allow' : 'deny';
    process.stdout.write(
      JSON.stringify({
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: decision,
          permissionDecisionReason: d.reason ?? 'allowed by fixloop',
        },
      }),
    );
  }
} catch (error) {
  process.stderr.write(
    `fixloop gate unavailable (${(error as Error).message}); the tool call is refused\n`,
  );
  process.exitCode = 2;
}
