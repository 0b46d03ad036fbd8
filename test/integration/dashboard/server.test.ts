import { request } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type RunningDashboard, startDashboard } from '../../../dashboard/server.ts';
import { ApiErrorSchema, SnapshotResponseSchema } from '../../../dashboard/snapshot.ts';
import { createTestTables, dynamoClient } from '../helpers.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the dashboard, with the Host header a browser would send unless given. */
const ask = (dashboard: RunningDashboard, path: string, options: { method?: string; host?: string } = {}) =>
  new Promise<Answer>((resolveAnswer, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: dashboard.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${dashboard.port}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolveAnswer({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });

const start = async (analytics: string): Promise<RunningDashboard> => {
  const dashboard = await startDashboard({
    dynamo: dynamoClient(),
    tables: { analytics },
    refreshMs: 1500,
    logger: { info: () => {}, warn: () => {} },
  });
  onTestFinished(() => dashboard.stop());
  return dashboard;
};

describe('the dashboard server', () => {
  it('serves the page and its bundle from this origin only, under a strict content security policy', async () => {
    // Prepare
    const tables = await createTestTables();
    const dashboard = await start(tables.analytics);

    // Act
    const [page, script, styles] = await Promise.all([
      ask(dashboard, '/'),
      ask(dashboard, '/app.js'),
      ask(dashboard, '/app.css'),
    ]);

    // Assert
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Chart.js is in the bundle, not fetched from a CDN.
    expect(script.body).toContain('Chart');
    expect(script.body).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)\./);
    expect(styles.status).toBe(200);
    expect(styles.body).not.toContain('@import');
  });

  it('answers a reload of an unchanged asset with 304', async () => {
    // Prepare
    const tables = await createTestTables();
    const dashboard = await start(tables.analytics);
    const first = await ask(dashboard, '/app.js');

    // Act
    const again = await new Promise<number>((resolveStatus, reject) => {
      request(
        {
          host: '127.0.0.1',
          port: dashboard.port,
          path: '/app.js',
          headers: { host: `127.0.0.1:${dashboard.port}`, 'if-none-match': String(first.headers.etag) },
        },
        (response) => {
          response.resume();
          resolveStatus(response.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });

    // Assert
    expect(again).toBe(304);
  });

  it('answers the snapshot of an empty table with zeros and the refresh interval', async () => {
    // Prepare
    const tables = await createTestTables();
    const dashboard = await start(tables.analytics);

    // Act
    const answer = await ask(dashboard, '/api/snapshot');

    // Assert
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const snapshot = SnapshotResponseSchema.parse(JSON.parse(answer.body));
    expect(snapshot.refreshMs).toBe(1500);
    expect(snapshot.analyticsTable).toBe(tables.analytics);
    expect(snapshot.activity.every((minute) => minute.events === 0)).toBe(true);
    expect(snapshot.pipeline.available).toBe(false);
  });

  it('answers 503 naming the table when it cannot be read', async () => {
    // Prepare
    const dashboard = await start('no-such-table');

    // Act
    const answer = await ask(dashboard, '/api/snapshot');

    // Assert
    expect(answer.status).toBe(503);
    const error = ApiErrorSchema.parse(JSON.parse(answer.body));
    expect(error.error).toBe('AggregateStoreError');
    expect(error.message).toContain('ResourceNotFoundException');
  });

  it('refuses other methods, unknown paths and foreign Host headers', async () => {
    // Prepare
    const tables = await createTestTables();
    const dashboard = await start(tables.analytics);

    // Act
    const [post, missing, rebound] = await Promise.all([
      ask(dashboard, '/api/snapshot', { method: 'POST' }),
      ask(dashboard, '/etc/passwd'),
      ask(dashboard, '/api/snapshot', { host: `attacker.example:${dashboard.port}` }),
    ]);

    // Assert
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(missing.status).toBe(404);
    expect(rebound.status).toBe(421);
  });
});
