/** The lines the daemon prints as it starts: what it runs, and whether it fixes. */
import type { DaemonConsole } from '../output/console.js';

/** Which test runner checks the saves (or that none was found). */
export function announceRunner(out: DaemonConsole, runner: string | undefined, warm = false): void {
  const none = 'No test runner detected; set TEST_COMMAND. Changes are recorded but not tested.';
  const kept = warm ? ' (kept warm between checks; WARM_RUNNER=false runs it fresh)' : '';
  out.line('Orchestrator', runner ? `Test runner: ${runner}${kept}` : out.style.yellow(none));
}

/** Whether failures are fixed, or only recorded (and why). */
export function announceFixing(out: DaemonConsole, offBecause: string | null): void {
  out.line(
    'Orchestrator',
    offBecause
      ? `Auto-fix: off (${offBecause}); observe-only: failures are recorded, nothing is edited`
      : 'Auto-fix: enabled',
  );
}
