/** An attempt's time limit, paused while the fix waits for the developer to pause. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private left: number;
  private since = 0;
  private pauses = 0;

  constructor(
    ms: number,
    private readonly onExpire: () => void,
    private readonly now: () => number,
  ) {
    this.left = ms;
    this.run();
  }

  /** Stops the count (nested pauses need as many resumes). */
  pause(): void {
    if (this.pauses++ > 0) return;
    clearTimeout(this.timer);
    this.left -= this.now() - this.since;
  }

  /** Counts on from where it paused. */
  resume(): void {
    if (--this.pauses === 0) this.run();
  }

  /** Ends it without expiring. */
  stop(): void {
    clearTimeout(this.timer);
    this.pauses = Number.POSITIVE_INFINITY;
  }

  private run(): void {
    this.since = this.now();
    this.timer = setTimeout(this.onExpire, Math.max(0, this.left));
  }
}
