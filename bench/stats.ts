/**
 * Timing and reporting helpers for the benchmarks: a monotonic clock
 * (`process.hrtime.bigint`), repeated measurement with warm-up, median and p95 by the
 * nearest-rank method, and a plain-text table printer with aligned columns.
 *
 * Benchmarks never assert; they measure and print.
 */

/** The monotonic clock in nanoseconds (`process.hrtime.bigint()`). */
export function clockNs(): bigint {
  return process.hrtime.bigint();
}

/** Milliseconds elapsed since `startNs` (a {@link clockNs} reading), as a float. */
export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** Run `fn` once and return how long it took, in milliseconds. */
export function timeOnce(fn: () => void): number {
  const start = clockNs();
  fn();
  return elapsedMs(start);
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Timed runs (default 20). */
  runs?: number;
  /** Untimed runs before the timed ones (default 0). */
  warmup?: number;
  /** Called before every run (warm-up and timed) and not timed: fresh state for `fn`. */
  setup?: (run: number) => void;
}

/**
 * Run `fn` `warmup` times untimed, then `runs` times timed.
 *
 * @returns the timed samples in milliseconds, in run order.
 */
export function measure(fn: (run: number) => void, options: MeasureOptions = {}): number[] {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 0;
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    options.setup?.(i);
    const start = clockNs();
    fn(i);
    const ms = elapsedMs(start);
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}

/** {@link measure} for an async `fn` (awaited inside the timed region). */
export async function measureAsync(fn: (run: number) => Promise<void>, options: MeasureOptions = {}): Promise<number[]> {
  const runs = options.runs ?? 20;
  const warmup = options.warmup ?? 0;
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    options.setup?.(i);
    const start = clockNs();
    await fn(i);
    const ms = elapsedMs(start);
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}

/**
 * The `p`-th percentile by the nearest-rank method: the smallest sample such that at least
 * `p` % of the samples are ≤ it (rank `ceil(p/100 · n)`, 1-based, of the sorted samples).
 *
 * @param p in (0, 100].
 * @returns NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** The median: the middle sample, or the mean of the two middle ones for an even count. NaN for none. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The 95th percentile by nearest rank ({@link percentile}). */
export function p95(samples: readonly number[]): number {
  return percentile(samples, 95);
}

/** Median, p95, min, max and count of a set of samples (ms). */
export interface Summary {
  median: number;
  p95: number;
  min: number;
  max: number;
  runs: number;
}

/** Summarize samples: {@link median}, {@link p95}, min, max, count. */
export function summarize(samples: readonly number[]): Summary {
  return {
    median: median(samples),
    p95: p95(samples),
    min: samples.length ? Math.min(...samples) : Number.NaN,
    max: samples.length ? Math.max(...samples) : Number.NaN,
    runs: samples.length,
  };
}

/**
 * Milliseconds as short text with about three significant digits:
 * `0.412`, `4.12`, `41.2`, `412`, `4,120`; `-` for NaN.
 */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}

/** A ratio as text: `0.31×`; `-` for NaN or infinity. */
export function fmtRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×` : '-';
}

/** An integer with thousands separators (`10,000`). */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** One column of {@link formatTable}: header text (with its unit) and alignment. */
export interface Column {
  header: string;
  /** `left` for text (default for the first column), `right` for numbers (default otherwise). */
  align?: 'left' | 'right';
}

/**
 * A plain-text table: a title line, the header row, a rule of dashes, then the rows, columns
 * padded to their widest cell and separated by two spaces. Missing cells are blank.
 *
 * @returns the lines, without trailing newlines.
 */
export function formatTable(title: string, columns: readonly (Column | string)[], rows: readonly (readonly string[])[]): string[] {
  const cols: Column[] = columns.map((c, i) => (typeof c === 'string' ? { header: c, align: i === 0 ? 'left' : 'right' } : { align: i === 0 ? 'left' : 'right', ...c }));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cols
    .map((c, i) => {
      const cell = cells[i] ?? '';
      return c.align === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
    })
    .join('  ')
    .trimEnd();
  const out: string[] = [];
  if (title) out.push(title);
  out.push(line(cols.map((c) => c.header)));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));
  return out;
}

/** Print a {@link formatTable} table to stdout, followed by a blank line. */
export function printTable(title: string, columns: readonly (Column | string)[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(`${formatTable(title, columns, rows).join('\n')}\n\n`);
}
