// What `npm run models` prints: a redrawn bar on a terminal, plain lines in logs and CI.
import { megabytes } from './download-file.ts';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface Reporter {
  info(line: string): void;
  fileStart(path: string, total: number | null): void;
  fileProgress(path: string, received: number, total: number | null): void;
  fileDone(path: string, note: string): void;
  /** Leaves the terminal on a clean line (before an error is printed, say). */
  close(): void;
}

/** Redraws at most this often: a 600 MB download delivers tens of thousands of chunks. */
const REDRAW_MS = 100;
/** Plain output prints a line at each quarter. */
const STEPS = 4;

export function createReporter(out: Output): Reporter {
  return out.isTTY ? new BarReporter(out) : new LineReporter(out);
}

class LineReporter implements Reporter {
  private step = 0;

  constructor(private readonly out: Output) {}

  info(line: string): void {
    this.out.write(`${line}\n`);
  }

  fileStart(path: string, total: number | null): void {
    this.step = 0;
    this.out.write(`  ${path}: downloading${total === null ? '' : ` ${megabytes(total)}`}\n`);
  }

  fileProgress(path: string, received: number, total: number | null): void {
    if (total === null || total === 0) return;
    const step = Math.floor((received / total) * STEPS);
    if (step > this.step && step < STEPS) {
      this.step = step;
      this.out.write(`  ${path}: ${Math.round((step / STEPS) * 100)}%\n`);
    }
  }

  fileDone(path: string, note: string): void {
    this.out.write(`  ${path}: ${note}\n`);
  }

  close(): void {}
}

class BarReporter implements Reporter {
  private last = 0;
  private started = 0;
  private startBytes = 0;
  private drawn = false;

  constructor(private readonly out: Output) {}

  info(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  fileStart(path: string, total: number | null): void {
    this.started = Date.now();
    this.startBytes = -1;
    this.last = 0;
    this.fileProgress(path, 0, total);
  }

  fileProgress(path: string, received: number, total: number | null): void {
    const now = Date.now();
    // Speed counts from the first byte of this run, not from 0: a resume starts mid-file.
    if (this.startBytes < 0) this.startBytes = received;
    if (now - this.last < REDRAW_MS && received !== total) return;
    this.last = now;
    const width = Math.max(10, Math.min(30, (this.out.columns ?? 80) - 60));
    const ratio = total ? Math.min(1, received / total) : 0;
    const filled = Math.round(ratio * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const elapsed = (now - this.started) / 1000;
    const speed = elapsed > 0.5 ? ` ${megabytes((received - this.startBytes) / elapsed)}/s` : '';
    const size =
      total === null ? megabytes(received) : `${megabytes(received)} / ${megabytes(total)}`;
    const pct = total ? `${String(Math.floor(ratio * 100)).padStart(3)}%` : '';
    this.out.write(`\r\x1b[K  [${bar}] ${pct} ${path}  ${size}${speed}`);
    this.drawn = true;
  }

  fileDone(path: string, note: string): void {
    this.clear();
    this.out.write(`  ${path}: ${note}\n`);
  }

  close(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}
