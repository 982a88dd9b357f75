/**
 * Admission through a shared spend ledger, so every worker of a shared queue holds one hourly cap:
 * the ledger holds dollars atomically, or says to wait, or that the cap is reached.
 */

/** A call admitted by a shared ledger, as it answers a request to hold dollars. */
export type Hold =
  | { kind: 'held'; id: string; usd: number; spent: number }
  | { kind: 'cap' | 'wait'; spent: number };

/**
 * The hour's spend and the calls under way kept beyond this process (every worker of a shared
 * queue): it admits atomically, as `UsageMeter` does within a process.
 */
export interface SpendLedger {
  hold(request: {
    usd: number;
    capUsd: number;
    mode: 'call' | 'budget';
    estimateUsd: number;
  }): Promise<Hold>;
  release(id: string): Promise<void>;
  add(usd: number): Promise<void>;
  close?(): Promise<void>;
}

/** How often a call waiting on a shared ledger asks again. */
const LEDGER_POLL_MS = 250;

/** What the ledger decided: admitted (the budget held and its release), or at the cap. */
export interface SharedAnswer {
  spent: number;
  admitted: { budget: number; release: () => void } | undefined;
}

/** Waits `ms`, or rejects at `signal` with its reason. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Admits through `ledger`: held or refused at the cap, or `local` when there is no ledger or it
 * cannot answer (the process's own count decides then). Waits while the ledger says to.
 */
export async function admitShared(
  ledger: (() => Promise<SpendLedger | undefined>) | undefined,
  request: { mode: 'call' | 'budget'; usd: number; capUsd: number; estimateUsd: number },
  signal?: AbortSignal,
): Promise<SharedAnswer | 'local'> {
  const shared = await ledger?.().catch(() => undefined);
  if (!shared) return 'local';
  for (;;) {
    let hold: Hold;
    try {
      hold = await shared.hold(request);
    } catch {
      return 'local';
    }
    if (hold.kind === 'cap') return { spent: hold.spent, admitted: undefined };
    if (hold.kind === 'held') {
      const { id, usd } = hold;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        void shared.release(id).catch(() => {});
      };
      return { spent: hold.spent, admitted: { budget: usd, release } };
    }
    await sleep(LEDGER_POLL_MS, signal);
  }
}
