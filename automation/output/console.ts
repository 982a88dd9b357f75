/**
 * Console output of the daemon: short `[Component] message` lines, and a live status line on a TTY.
 */

import { redact } from '../redact.js';
import { createStyle, type Style } from './style.js';
import { terminalText } from './terminal-text.js';

export interface ConsoleSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Prints lines; on a TTY, `progress()` shows a spinner with elapsed time that later lines print
 * over.
 */
export class DaemonConsole {
  readonly style: Style;
  private live: { text: string; started: number; timer: NodeJS.Timeout; frame: number } | undefined;

  constructor(
    private readonly out: ConsoleSink,
    private readonly color: boolean,
    /** Secret values: never printed (task data can carry what a test printed). */
    private readonly secrets: readonly string[] = [],
  ) {
    this.style = createStyle(color);
  }

  /** What may reach the terminal: redacted, and without foreign control codes. */
  private safe(text: string): string {
    return terminalText(redact(text, this.secrets), this.color);
  }

  line(component: string, message: string): void {
    this.clearLive();
    this.out.write(`${this.style.dim(`[${component}]`)} ${this.safe(message)}\n`);
    this.drawLive();
  }

  /** Raw text, e.g. the statistics block. */
  raw(text: string): void {
    this.clearLive();
    const safe = this.safe(text);
    this.out.write(safe.endsWith('\n') ? safe : `${safe}\n`);
    this.drawLive();
  }

  /**
   * Starts a live status line (TTY only; plain output gets just the lines around it). Returns a
   * stop function.
   */
  progress(text: string): () => void {
    if (!this.out.isTTY) return () => {};
    this.stopProgress();
    const timer = setInterval(() => {
      if (!this.live) return;
      this.live.frame++;
      this.drawLive();
    }, 100);
    timer.unref();
    this.live = { text, started: Date.now(), timer, frame: 0 };
    this.drawLive();
    return () => this.stopProgress();
  }

  private stopProgress(): void {
    if (!this.live) return;
    clearInterval(this.live.timer);
    this.clearLive();
    this.live = undefined;
  }

  private drawLive(): void {
    if (!this.live || !this.out.isTTY) return;
    const secs = ((Date.now() - this.live.started) / 1000).toFixed(1);
    const frame = this.style.cyan(FRAMES[this.live.frame % FRAMES.length] ?? '');
    this.out.write(`\r${frame} ${this.live.text} ${this.style.dim(`${secs}s`)}\u001b[K`);
  }

  private clearLive(): void {
    if (this.live && this.out.isTTY) this.out.write('\r\u001b[K');
  }
}
