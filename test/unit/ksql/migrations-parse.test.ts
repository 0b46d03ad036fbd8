import { describe, expect, it } from 'vitest';
import { KsqlParseError } from '../../../emulators/ksql/errors.ts';
import { parseSplitStatement, splitStatements } from '../../../emulators/ksql/parser.ts';
import { DEFAULT_VARIABLES, loadMigrations, MIGRATIONS_DIR } from '../../../ksql/migrate/migrations.ts';

/** Every statement of every migration, as `apply` would send it (variables substituted). */
const statementsOf = async () =>
  (await loadMigrations(MIGRATIONS_DIR, DEFAULT_VARIABLES)).flatMap((migration) =>
    splitStatements(migration.sql).map((statement) => ({ file: migration.file, statement })),
  );

describe('ksql/ migrations against the engine grammar', () => {
  it('parses every statement of every migration, each on its own', async () => {
    const statements = await statementsOf();
    expect(new Set(statements.map(({ file }) => file)).size).toBeGreaterThanOrEqual(6);
    for (const { file, statement } of statements) {
      expect(() => parseSplitStatement(statement), `${file}:${statement.line}`).not.toThrow();
    }
  });

  it('would catch a broken statement (the check can fail)', async () => {
    const [first] = await statementsOf();
    if (first === undefined) throw new Error('no migration statement');
    const broken = splitStatements(first.statement.text.replace(/\bWITH\b/, 'WITH WITH'))[0];
    if (broken === undefined) throw new Error('no statement');
    expect(() => parseSplitStatement(broken)).toThrow(KsqlParseError);
  });
});
