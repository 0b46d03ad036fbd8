import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../ksql/migrate/apply.ts';
import { KsqlDbClient, KsqlDbServerError } from '../../../ksql/migrate/ksqldb-client.ts';
import type { Migration } from '../../../ksql/migrate/migrations.ts';

interface Seen {
  path: string;
  body: { ksql: string; commandSequenceNumber?: number };
  auth: string | undefined;
}

/**
 * A tiny stand-in for ksqlDB's REST API: it keeps MIGRATION_EVENTS inserts to answer the CURRENT
 * pull query, assigns command sequence numbers, and can be told to fail or to be "not ready".
 */
class FakeKsqlDb {
  readonly seen: Seen[] = [];
  private sequence = 0;
  private current: string | undefined;
  notReadyTimes = 0;
  rejectContaining: string | undefined;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = JSON.parse(text) as Seen['body'];
    this.seen.push({ path: req.url ?? '', body, auth: req.headers.authorization });
    if (this.notReadyTimes > 0) {
      this.notReadyTimes--;
      return {
        status: 503,
        body: { '@type': 'generic_error', error_code: 50302, message: 'not ready' },
        headers: { 'retry-after': '0' },
      };
    }
    if (req.url === '/query') {
      return {
        status: 200,
        body: [
          { header: { schema: '`VERSION` STRING, `STATE` STRING' } },
          ...(this.current === undefined ? [] : [{ row: { columns: [this.current, 'MIGRATED'] } }]),
        ],
      };
    }
    if (this.rejectContaining !== undefined && body.ksql.includes(this.rejectContaining)) {
      return {
        status: 400,
        body: {
          '@type': 'statement_error',
          error_code: 40001,
          message: 'Line: 1, Col: 8: boom',
          statementText: body.ksql,
          entities: [],
        },
      };
    }
    const insert = /^INSERT INTO MIGRATION_EVENTS .* VALUES \('CURRENT', '(\d+)'/.exec(body.ksql);
    if (insert !== null) this.current = insert[1];
    this.sequence++;
    return {
      status: 200,
      body: [{ '@type': 'currentStatus', statementText: body.ksql, commandSequenceNumber: this.sequence }],
    };
  }
}

const migration = (version: number, sql: string): Migration => ({
  version,
  name: `m${version}`,
  file: `V${version}.sql`,
  sql,
  checksum: 'c',
});

let fake: FakeKsqlDb;
afterEach(async () => {
  await fake.stop();
});

describe('apply to ksqlDB', () => {
  it('applies pending migrations once with basic auth and the previous command sequence number; a re-run is a no-op', async () => {
    // prepare
    fake = new FakeKsqlDb();
    const url = await fake.start();
    const client = new KsqlDbClient({ url, apiKey: 'key', apiSecret: 'secret' });
    const migrations = [
      migration(1, "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');"),
      migration(2, 'CREATE STREAM B AS SELECT * FROM A;'),
    ];

    // act
    const first = await applyMigrations(client, migrations, { topicPrefix: '', log: () => undefined });
    const second = await applyMigrations(client, migrations, { topicPrefix: '', log: () => undefined });

    // assert
    expect(first.applied).toEqual([1, 2]);
    expect(second).toEqual({ applied: [], skipped: [1, 2] });
    const statements = fake.seen.filter((s) => s.path === '/ksql').map((s) => s.body.ksql);
    expect(statements.filter((s) => s.startsWith('CREATE STREAM A'))).toHaveLength(1);
    expect(fake.seen.every((s) => s.auth === `Basic ${Buffer.from('key:secret').toString('base64')}`)).toBe(
      true,
    );
    const second_request = fake.seen.filter((s) => s.path === '/ksql')[1];
    expect(second_request?.body.commandSequenceNumber).toBe(1);
  });

  it("surfaces the server's error verbatim and does not run later migrations", async () => {
    // prepare
    fake = new FakeKsqlDb();
    fake.rejectContaining = 'BROKEN';
    const client = new KsqlDbClient({ url: await fake.start() });

    // act
    const run = applyMigrations(
      client,
      [migration(1, 'CREATE BROKEN;'), migration(2, 'CREATE STREAM C AS SELECT * FROM A;')],
      {
        topicPrefix: '',
        log: () => undefined,
      },
    );

    // assert
    await expect(run).rejects.toThrow(
      new KsqlDbServerError(400, 40001, 'Line: 1, Col: 8: boom', 'CREATE BROKEN;'),
    );
    expect(fake.seen.some((s) => s.body.ksql.startsWith('CREATE STREAM C'))).toBe(false);
  });

  it('retries while the server answers 50302, honouring Retry-After', async () => {
    // prepare
    fake = new FakeKsqlDb();
    fake.notReadyTimes = 2;
    const waits: number[] = [];
    const client = new KsqlDbClient({ url: await fake.start(), sleep: async (ms) => void waits.push(ms) });

    // act
    const entities = await client.ksql('SHOW STREAMS;');

    // assert
    expect(entities).toHaveLength(1);
    expect(waits).toEqual([0, 0]);
  });
});
