import { z } from 'zod';
import { KsqlMigrationError } from './errors.ts';

/** An error the ksqlDB server returned, kept verbatim. */
export class KsqlDbServerError extends KsqlMigrationError {
  override readonly code: string = 'KSQL_DB_SERVER';
  readonly errorCode: number;
  readonly statementText: string | undefined;
  readonly httpStatus: number;
  constructor(
    httpStatus: number,
    errorCode: number,
    serverMessage: string,
    statementText: string | undefined,
  ) {
    super(
      `ksqlDB error ${errorCode} (HTTP ${httpStatus}): ${serverMessage}${statementText === undefined ? '' : `\nStatement: ${statementText}`}`,
    );
    this.errorCode = errorCode;
    this.statementText = statementText;
    this.httpStatus = httpStatus;
  }
}

/** The server could not be reached or answered something that is not ksqlDB's REST API. */
export class KsqlDbTransportError extends KsqlMigrationError {
  override readonly code: string = 'KSQL_DB_TRANSPORT';
}

const errorBody = z.looseObject({
  error_code: z.number(),
  message: z.string(),
  statementText: z.string().optional(),
});

const entity = z.looseObject({
  '@type': z.string().optional(),
  statementText: z.string().optional(),
  commandSequenceNumber: z.number().optional(),
  commandStatus: z.looseObject({ status: z.string().optional(), message: z.string().optional() }).optional(),
});
const ksqlResponse = z.array(entity);
export type KsqlEntity = z.infer<typeof entity>;

const queryResponse = z.array(
  z.looseObject({
    header: z.looseObject({ schema: z.string().optional() }).optional(),
    row: z.looseObject({ columns: z.array(z.unknown()) }).optional(),
    finalMessage: z.string().optional(),
    errorMessage: z.looseObject({ message: z.string().optional() }).optional(),
  }),
);

/** Connection settings; `fetch` and `sleep` are injectable for tests. */
export interface KsqlDbClientOptions {
  readonly url: string;
  readonly apiKey?: string | undefined;
  readonly apiSecret?: string | undefined;
  readonly maxRetries?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Error code ksqlDB answers with while it cannot take commands yet; retried after Retry-After. */
const SERVER_NOT_READY = 50302;

/**
 * Minimal client of ksqlDB's REST API (POST /ksql and /query). It keeps the highest
 * commandSequenceNumber it has seen and sends it with the next statement, so the server runs
 * each statement only after the previous command was executed.
 */
export class KsqlDbClient {
  private lastSequence: number | undefined;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: KsqlDbClientOptions) {
    this.doFetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Highest command sequence number seen so far. */
  get commandSequenceNumber(): number | undefined {
    return this.lastSequence;
  }

  /** Runs statements through POST /ksql. */
  async ksql(statements: string): Promise<KsqlEntity[]> {
    const body: Record<string, unknown> = { ksql: statements, streamsProperties: {} };
    if (this.lastSequence !== undefined) body.commandSequenceNumber = this.lastSequence;
    const json = await this.post('/ksql', body);
    const entities = ksqlResponse.parse(json);
    for (const e of entities) {
      if (e.commandSequenceNumber !== undefined)
        this.lastSequence = Math.max(this.lastSequence ?? -1, e.commandSequenceNumber);
    }
    return entities;
  }

  /** Runs a pull query through POST /query and returns the rows' columns. */
  async pullQuery(sql: string): Promise<unknown[][]> {
    const json = await this.post('/query', { ksql: sql, streamsProperties: {} });
    const rows = queryResponse.parse(json);
    const failure = rows.find((r) => r.errorMessage !== undefined);
    if (failure !== undefined)
      throw new KsqlDbTransportError(
        `pull query failed: ${failure.errorMessage?.message ?? 'unknown error'}`,
      );
    return rows.flatMap((r) => (r.row === undefined ? [] : [r.row.columns]));
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      'content-type': 'application/vnd.ksql.v1+json; charset=utf-8',
      accept: 'application/vnd.ksql.v1+json',
    };
    if (this.options.apiKey !== undefined && this.options.apiSecret !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.apiKey}:${this.options.apiSecret}`).toString('base64')}`;
    }
    const maxRetries = this.options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.doFetch(new URL(path, this.options.url), {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        });
      } catch (cause) {
        throw new KsqlDbTransportError(
          `cannot reach ksqlDB at ${this.options.url}: ${(cause as Error).message}`,
          { cause },
        );
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? null : (JSON.parse(text) as unknown);
      } catch (cause) {
        throw new KsqlDbTransportError(
          `ksqlDB answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`,
          { cause },
        );
      }
      if (res.ok) return json;
      const parsed = errorBody.safeParse(json);
      if (!parsed.success)
        throw new KsqlDbTransportError(`ksqlDB answered HTTP ${res.status}: ${text.slice(0, 500)}`);
      if (parsed.data.error_code === SERVER_NOT_READY && attempt < maxRetries) {
        const retryAfter = Number(res.headers.get('retry-after') ?? '1');
        await this.sleep((Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1) * 1000);
        continue;
      }
      throw new KsqlDbServerError(
        res.status,
        parsed.data.error_code,
        parsed.data.message,
        parsed.data.statementText,
      );
    }
  }
}
