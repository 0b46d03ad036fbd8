/**
 * LoggingConfig: the system log records an event source mapping writes, free of I/O. With
 * `SystemLogLevel` set, "the Lambda event poller sends out corresponding logs (event source
 * mapping system logs)" to the function's log destination, in "its own log stream, with date
 * and event source mapping UUID as the log stream name", at the selected level and below:
 * DEBUG (processing progress), INFO (normal operation), WARN (warnings and errors that may
 * cause unexpected behaviour); without it, none
 * (https://docs.aws.amazon.com/lambda/latest/dg/esm-logging.html).
 */

/** LoggingConfig.SystemLogLevel. */
export const SystemLogLevel = { Debug: 'DEBUG', Info: 'INFO', Warn: 'WARN' } as const;
export type SystemLogLevel = (typeof SystemLogLevel)[keyof typeof SystemLogLevel];

/** What a record is about: the pollers, the processing of records, the Kafka consumer. */
export const SystemEventType = {
  PollerStatus: 'POLLER_STATUS_EVENT',
  Processing: 'ESM_PROCESSING_EVENT',
  KafkaStatus: 'KAFKA_STATUS_EVENT',
} as const;
export type SystemEventType = (typeof SystemEventType)[keyof typeof SystemEventType];

/** DEBUG is the most detail, WARN the least: a level lets through itself and the ones after it. */
const DETAIL: Readonly<Record<SystemLogLevel, number>> = { DEBUG: 0, INFO: 1, WARN: 2 };

/** One system log record, as written (one JSON object a line). */
export interface SystemLogRecord {
  readonly timestamp: string;
  /** `YYYY/MM/DD/<mapping UUID>` of the record's UTC day. */
  readonly logStream: string;
  readonly logLevel: SystemLogLevel;
  readonly eventType: SystemEventType;
  readonly eventSourceMappingArn: string;
  readonly message: string;
  readonly [detail: string]: unknown;
}

/** The log stream a mapping's records of `at` go to. */
export const logStreamName = (uuid: string, at: Date): string =>
  `${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${String(at.getUTCDate()).padStart(2, '0')}/${uuid}`;

/** Writes a mapping's system log records at its level; a mapping without LoggingConfig writes none. */
export class SystemLog {
  readonly #level: SystemLogLevel | undefined;
  readonly #uuid: string;
  readonly #arn: string;
  readonly #write: (record: SystemLogRecord) => void;
  readonly #now: () => Date;

  constructor(options: {
    readonly level: SystemLogLevel | undefined;
    readonly uuid: string;
    /** arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>. */
    readonly eventSourceMappingArn: string;
    readonly write: (record: SystemLogRecord) => void;
    readonly now?: () => Date;
  }) {
    this.#level = options.level;
    this.#uuid = options.uuid;
    this.#arn = options.eventSourceMappingArn;
    this.#write = options.write;
    this.#now = options.now ?? (() => new Date());
  }

  /** True when a record of `level` would be written (skip building details otherwise). */
  enabled(level: SystemLogLevel): boolean {
    return this.#level !== undefined && DETAIL[level] >= DETAIL[this.#level];
  }

  debug(eventType: SystemEventType, message: string, details: Record<string, unknown> = {}): void {
    this.#log(SystemLogLevel.Debug, eventType, message, details);
  }

  info(eventType: SystemEventType, message: string, details: Record<string, unknown> = {}): void {
    this.#log(SystemLogLevel.Info, eventType, message, details);
  }

  warn(eventType: SystemEventType, message: string, details: Record<string, unknown> = {}): void {
    this.#log(SystemLogLevel.Warn, eventType, message, details);
  }

  #log(
    level: SystemLogLevel,
    eventType: SystemEventType,
    message: string,
    details: Record<string, unknown>,
  ): void {
    if (!this.enabled(level)) return;
    const at = this.#now();
    this.#write({
      ...details,
      timestamp: at.toISOString(),
      logStream: logStreamName(this.#uuid, at),
      logLevel: level,
      eventType,
      eventSourceMappingArn: this.#arn,
      message,
    });
  }
}
