/**
 * A progress bar for long reads (`replay`, `summarize`), on stderr and only when stderr is a terminal.
 * Hand-written rather than cli-progress: that one throttles with its own timers and clock, which tests cannot drive,
 * and we need only one bar. Redraws happen when the visible text changes, so no clock is needed to limit them.
 */
import type { Writable } from 'node:stream';
import { formatBytes } from './units.js';

export interface ProgressBarOptions {
  /** What is being read, shown before the bar. */
  label: string;
  /** Total bytes, when known (a file); without it only the bytes read are shown (stdin). */
  totalBytes?: number;
  /** Terminal columns; default 80. */
  columns?: number;
}

export interface ProgressBar {
  /** Reports how many bytes have been read so far. */
  update(bytesRead: number): void;
  /** Erases the bar, leaving stderr clean for whatever follows. */
  done(): void;
}

/** The bar's text for `bytesRead` of `totalBytes`, at most `columns - 1` characters. */
export function renderProgress(label: string, bytesRead: number, totalBytes: number | undefined, columns: number): string {
  if (totalBytes === undefined || totalBytes <= 0) return `${label} ${formatBytes(bytesRead)}`.slice(0, columns - 1);
  const ratio = Math.min(1, Math.max(0, bytesRead / totalBytes));
  const tail = ` ${String(Math.floor(ratio * 100)).padStart(3)}%  ${formatBytes(bytesRead)} / ${formatBytes(totalBytes)}`;
  const barWidth = Math.max(0, Math.min(40, columns - 1 - label.length - tail.length - 3));
  const filled = Math.floor(ratio * barWidth);
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]${tail}`.slice(0, columns - 1);
}

/** A progress bar on `err` when `err.isTTY`; a silent no-op otherwise (pipes, files, CI logs). */
export function progressBar(err: Writable & { isTTY?: boolean }, { label, totalBytes, columns = 80 }: ProgressBarOptions): ProgressBar {
  if (err.isTTY !== true) return { update: () => {}, done: () => {} };
  let shown = '';
  return {
    update(bytesRead) {
      const text = renderProgress(label, bytesRead, totalBytes, columns);
      if (text === shown) return;
      shown = text;
      err.write(`\r${text}\x1b[K`);
    },
    done() {
      if (shown !== '') err.write('\r\x1b[K');
      shown = '';
    },
  };
}
