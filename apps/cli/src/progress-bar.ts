/** Writes to a terminal (rewriting one line) or to a log (a line every few seconds). */
export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

const WIDTH = 30;
const LOG_EVERY_MS = 2_000;

/** A one-line progress bar, e.g. `[##########--------------------]  33% queued 330/1000 completed 120`. */
export class ProgressBar {
  private lastLogAt = 0;

  constructor(private readonly out: Output) {}

  update(done: number, total: number, detail: string, force = false): void {
    const line = `${renderBar(done, total)} ${detail}`;
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`);
    } else if (force || Date.now() - this.lastLogAt >= LOG_EVERY_MS) {
      this.lastLogAt = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}

export function renderBar(done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}
