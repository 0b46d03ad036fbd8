import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectFiles, runFile } from '../../../emulators/ksql/qtt/qtt-runner.ts';

// ksqlDB's own query-validation cases live next to the repository, never copied into it.
const QTT_DIR = fileURLToPath(new URL('../../../../shared/ksql-qtt', import.meta.url));
const present = existsSync(QTT_DIR);
// CI must run the conformance cases (CI=true, as CI runs .ci/run); a laptop without them skips, saying so.
const required = process.env.CI === 'true';
if (!present && !required) {
  console.warn(`skipping ksqlDB conformance: ${QTT_DIR} is absent (CI=true makes it a failure)`);
}

describe('ksqlDB query-validation tests (../shared/ksql-qtt)', () => {
  it.runIf(!present && required)('has the conformance cases in CI', () => {
    throw new Error(
      `ksqlDB conformance cases are missing: ${QTT_DIR} must exist in CI (the shared/ksql-qtt folder beside the repository)`,
    );
  });

  it.skipIf(!present)('passes every case the embedded engine does not mark unsupported', async () => {
    // prepare
    const files = await collectFiles([QTT_DIR]);

    // act
    const results = await Promise.all(files.map((f) => runFile(f)));

    // assert
    const failures = results.flatMap((r) =>
      r.cases.filter((c) => c.status === 'failed').map((c) => `${r.file}: ${c.name}: ${c.detail}`),
    );
    expect(failures).toEqual([]);
    const passed = (file: string): number => results.find((r) => r.file === file)?.passed ?? 0;
    for (const file of [
      'tumbling-windows.json',
      'hopping-windows.json',
      'window-bounds.json',
      'having.json',
      'suppress.json',
    ]) {
      expect(passed(file), file).toBeGreaterThan(0);
    }
    // EMIT FINAL's cases set the emit-interval property: honoured, never a reason to skip a case.
    const suppress = results.find((r) => r.file === 'suppress.json')?.cases ?? [];
    expect(suppress.filter((c) => c.status === 'unsupported' && c.detail?.includes('emit.interval'))).toEqual(
      [],
    );
  });
});
