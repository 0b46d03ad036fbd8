import type { FileResult } from './qtt-runner.ts';

/** Totals over files. */
export interface QttTotals {
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
}

/** Sums the per-file counts. */
export function totals(results: readonly FileResult[]): QttTotals {
  return results.reduce(
    (t, r) => ({
      passed: t.passed + r.passed,
      failed: t.failed + r.failed,
      unsupported: t.unsupported + r.unsupported,
    }),
    { passed: 0, failed: 0, unsupported: 0 },
  );
}

/** Human-readable report: one line per file, failures and unsupported constructs, totals. */
export function formatReport(results: readonly FileResult[], verbose: boolean): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.file}: passed ${r.passed}, failed ${r.failed}, unsupported ${r.unsupported}`);
    for (const c of r.cases) {
      if (c.status === 'failed' || (verbose && c.status === 'unsupported')) {
        lines.push(`  ${c.status.toUpperCase()} ${c.name}: ${c.detail ?? ''}`);
      }
    }
  }
  const t = totals(results);
  lines.push(
    `TOTAL: passed ${t.passed}, failed ${t.failed}, unsupported ${t.unsupported} (${results.length} files)`,
  );
  return lines.join('\n');
}
