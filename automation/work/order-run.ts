/** How one work order runs when it came from the shared queue (CONTRACT.md §7). */
export interface OrderRun {
  /** The commit to start from when it builds on nothing (default: HEAD). */
  base?: string | undefined;
  /** Push the branch whatever WORK_PUSH says. */
  push?: boolean;
  /** Throws when the order may no longer be delivered (another worker took it over). */
  confirm?: () => Promise<void>;
}
