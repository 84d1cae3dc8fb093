import type { QueryProgress } from './athena-client';

/** `1.5 MB`, in powers of 1000 as Athena bills. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * Turns a query's progress into lines for a person watching stderr: every change of state, the
 * bytes scanned while it runs, where the rows are read from, and the rows fetched, each at most
 * once per interval apart from the first and last.
 */
export class ProgressReporter {
  private lastState?: string;
  private lastStateLine = Number.NEGATIVE_INFINITY;
  private lastRowsLine = Number.NEGATIVE_INFINITY;
  private scanned = 0;

  constructor(
    private readonly writeLine: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 1000,
  ) {}

  /** Reports one event; pass it as `onProgress`. */
  readonly report = (progress: QueryProgress): void => {
    const now = this.now();
    if (progress.event === 'state') {
      const changed = progress.state !== this.lastState;
      const scannedMore = progress.dataScannedInBytes !== this.scanned;
      this.scanned = progress.dataScannedInBytes;
      if (!changed && !(scannedMore && now - this.lastStateLine >= this.intervalMs)) return;
      this.lastState = progress.state;
      this.lastStateLine = now;
      this.writeLine(
        `query ${progress.queryExecutionId} ${progress.state}: ${formatBytes(progress.dataScannedInBytes)} scanned, ` +
          `${(progress.elapsedMs / 1000).toFixed(1)} s`,
      );
      return;
    }
    if (progress.event === 'source') {
      this.writeLine(
        progress.from === 's3'
          ? `reading rows from ${progress.location}`
          : `${progress.denied ? 'warning: ' : ''}reading rows page by page (GetQueryResults): ${progress.reason}`,
      );
      return;
    }
    if (!progress.done && now - this.lastRowsLine < this.intervalMs) return;
    this.lastRowsLine = now;
    const total = progress.done ? ', all rows read' : '';
    this.writeLine(`${formatCount(progress.rowsFetched)} rows fetched${total}`);
  };
}
