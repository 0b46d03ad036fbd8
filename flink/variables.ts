import { fileURLToPath } from 'node:url';
import { DEFAULT_VARIABLES } from '../ksql/migrate/migrations.ts';
import { AppError } from '../services/commons/errors.ts';

/** The Flink SQL statements (V000001__*.sql), beside this file. */
export const FLINK_STATEMENTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** A ksql duration variable (`30 SECONDS`) that cannot be turned into a Flink interval. */
export class FlinkVariableError extends AppError {
  readonly code: string = 'FLINK_VARIABLE';
}

const UNIT_MS: Readonly<Record<string, number>> = {
  MILLISECOND: 1,
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

/** Milliseconds of a ksqlDB duration such as `30 SECONDS` or `1 MINUTE`. */
export const ksqlDurationMs = (name: string, text: string): number => {
  const m = /^\s*(\d+)\s+(MILLISECOND|SECOND|MINUTE|HOUR|DAY)S?\s*$/i.exec(text);
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2].toUpperCase()];
  if (m === null || unit === undefined)
    throw new FlinkVariableError(`${name}=${text}: expected a ksqlDB duration such as '30 SECONDS'`);
  return Number(m[1]) * unit;
};

/**
 * A Flink SQL interval literal of `ms` milliseconds. DAY TO SECOND(3) holds any duration to
 * the millisecond; `INTERVAL '300' SECOND` would not (leading precision 2).
 * https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/dev/table/types/#interval-day-to-second
 */
export const flinkInterval = (ms: number): string => {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const days = Math.floor(ms / 86_400_000);
  const h = Math.floor(ms / 3_600_000) % 24;
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `INTERVAL '${days} ${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}' DAY TO SECOND(3)`;
};

/** Where the Flink job reads and writes, and how it starts. */
export interface FlinkConnection {
  /** The `WITH` options that reach the cluster: bootstrap servers and, on AWS, the IAM login. */
  readonly kafkaConnection: string;
  /** Consumer group id prefix of the sources. */
  readonly groupId: string;
  /** `earliest-offset` (default) or another scan.startup.mode. */
  readonly startupMode?: string;
  /** table.exec.source.idle-timeout (default 5 s). */
  readonly idleTimeout?: string;
}

/** `'properties.bootstrap.servers' = '…'`: a cluster without authentication (the laptop). */
export const plaintextKafkaConnection = (brokers: readonly string[]): string =>
  `'properties.bootstrap.servers' = '${brokers.join(',')}'`;

/**
 * The Flink statements' variables from the ksql migrations' (same topics, gap, grace, sizes;
 * defaults, then KSQL_VAR_*, then overrides as ksql/migrate resolves them) and a connection.
 * Durations become interval literals; the session gap also as gap + 1 ms (V000003 says why).
 */
export const flinkVariables = (
  ksql: Readonly<Record<string, string>>,
  connection: FlinkConnection,
): Record<string, string> => {
  const vars = { ...DEFAULT_VARIABLES, ...ksql };
  const duration = (name: string) => ksqlDurationMs(name, vars[name] ?? '');
  return {
    EVENTS_TOPIC: vars.EVENTS_TOPIC ?? '',
    PAGEVIEWS_TOPIC: vars.PAGEVIEWS_TOPIC ?? '',
    SESSIONS_TOPIC: vars.SESSIONS_TOPIC ?? '',
    TRENDING_TOPIC: vars.TRENDING_TOPIC ?? '',
    BOT_SUSPECTS_TOPIC: vars.BOT_SUSPECTS_TOPIC ?? '',
    SESSIONS_ENRICHED_TOPIC: vars.SESSIONS_ENRICHED_TOPIC ?? 'clickstream-sessions-enriched',
    SEGMENT_STATS_TOPIC: vars.SEGMENT_STATS_TOPIC ?? 'clickstream-segment-stats',
    BOT_THRESHOLD: vars.BOT_THRESHOLD ?? '',
    LATE_GRACE: flinkInterval(duration('LATE_GRACE')),
    SESSION_GRACE: flinkInterval(duration('SESSION_GRACE')),
    SESSION_GAP_PLUS_1MS: flinkInterval(duration('SESSION_GAP') + 1),
    TRENDING_SIZE: flinkInterval(duration('TRENDING_SIZE')),
    TRENDING_ADVANCE: flinkInterval(duration('TRENDING_ADVANCE')),
    KAFKA_CONNECTION: connection.kafkaConnection,
    GROUP_ID: connection.groupId,
    STARTUP_MODE: connection.startupMode ?? 'earliest-offset',
    IDLE_TIMEOUT: connection.idleTimeout ?? '5 s',
  };
};
