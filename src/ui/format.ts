/** Numbers as people read them in the page. */

/** One byte formatter for the whole product: SI units (1 MB = 10^6 bytes), as docs/MODELS.md. */
export { formatBytes } from '../core/storage-errors.ts';

/** A score p in [0, 1] with two decimals; "1.00" only when it truly rounds there. */
export function formatScore(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p.toFixed(2);
}

export function formatRate(done: number, ms: number): string {
  if (done === 0 || ms <= 0) return '';
  const rate = (done * 1000) / ms;
  return `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} photos/s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
