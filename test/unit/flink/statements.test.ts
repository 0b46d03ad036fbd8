import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FLINK_STATEMENTS_DIR,
  FlinkVariableError,
  flinkInterval,
  flinkVariables,
  ksqlDurationMs,
} from '../../../flink/variables.ts';
import { MIGRATIONS_DIR } from '../../../ksql/migrate/migrations.ts';

const sqlOf = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^V\d{6}__.+\.sql$/.test(f))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');

const variablesIn = (sql: string) => new Set([...sql.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]));

describe('the Flink statements (flink/)', () => {
  const flink = sqlOf(FLINK_STATEMENTS_DIR);
  const vars = flinkVariables(
    {},
    { kafkaConnection: "'properties.bootstrap.servers' = 'b:9092'", groupId: 'g' },
  );

  it('use only variables flinkVariables defines', () => {
    const missing = [...variablesIn(flink)].filter((name) => name !== undefined && vars[name] === undefined);
    expect(missing).toEqual([]);
  });

  it('write every output topic the ksql migrations write', () => {
    const ksql = sqlOf(MIGRATIONS_DIR);
    const ksqlTopics = [...ksql.matchAll(/CREATE TABLE \w+ WITH \(\s*KAFKA_TOPIC = '([^']+)'/g)].map(
      (m) => m[1],
    );
    const flinkTopics = [...flink.matchAll(/'topic' = '([^']+)'/g)].map((m) => m[1]);
    const resolved = (topic: string | undefined) =>
      (topic ?? '').replace(/\$\{(\w+)\}/, (_m, name: string) => vars[name] ?? `?${name}`);
    expect(ksqlTopics.length).toBe(5);
    for (const topic of ksqlTopics) expect(flinkTopics.map(resolved)).toContain(resolved(topic));
  });

  it('derive intervals from the ksql durations, the session gap plus 1 ms', () => {
    expect(vars.SESSION_GAP_PLUS_1MS).toBe("INTERVAL '0 00:00:30.001' DAY TO SECOND(3)");
    expect(vars.TRENDING_SIZE).toBe("INTERVAL '0 00:05:00.000' DAY TO SECOND(3)");
    expect(vars.LATE_GRACE).toBe("INTERVAL '0 00:00:10.000' DAY TO SECOND(3)");
    expect(flinkInterval(90_061_001)).toBe("INTERVAL '1 01:01:01.001' DAY TO SECOND(3)");
  });

  it('reject a duration ksqlDB would not read, naming the variable', () => {
    expect(ksqlDurationMs('X', '2 MINUTES')).toBe(120_000);
    expect(() => ksqlDurationMs('SESSION_GAP', 'soon')).toThrow(FlinkVariableError);
    expect(() => ksqlDurationMs('SESSION_GAP', 'soon')).toThrow(/SESSION_GAP=soon/);
  });
});
