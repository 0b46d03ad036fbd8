import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AnalyticsReader } from '../services/aggregation/index.ts';
import { DynamoDbSegmentStatsReader } from '../services/segment-stats/dynamodb-segment-stats-reader.ts';
import { type Asset, bundleAssets } from './assets.ts';
import {
  buildSnapshot,
  DEFAULT_SNAPSHOT_SETTINGS,
  type SnapshotSettings,
  type SnapshotSources,
} from './build-snapshot.ts';
import { ServerStartError } from './errors.ts';
import { PipelineHistoryRecorder } from './pipeline-history.ts';
import type { PipelineStatsSource } from './pipeline-stats.ts';
import type { ApiError, SnapshotResponse } from './snapshot.ts';

/** The tables the dashboard reads (resources/dynamodb-tables.yml). */
export interface DashboardTables {
  readonly analytics: string;
  readonly userProfiles?: string;
}

/** What {@link startDashboard} needs; clients are built by the caller and passed in. */
export interface DashboardOptions {
  /** TCP port on 127.0.0.1; `0` (the default) takes any free port. */
  readonly port?: number;
  /** The DynamoDB client to read with (a document client is built over a plain one). */
  readonly dynamo: DynamoDBClient | DynamoDBDocumentClient;
  readonly tables: DashboardTables;
  /** The pipeline's health (the demo passes the ESM emulator's); without it, health shows as unavailable. */
  readonly pipelineStats?: PipelineStatsSource | undefined;
  /** Where the data comes from, shown on the page (e.g. `local stack`, `AWS eu-west-1`). */
  readonly source?: string;
  /** How often the page asks for a new snapshot, in milliseconds (default 2000). */
  readonly refreshMs?: number;
  readonly settings?: Partial<SnapshotSettings>;
  /** The time the dashboard reads at; tests pin it, everyone else leaves it to `Date.now`. */
  readonly clock?: () => number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** A running dashboard. */
export interface RunningDashboard {
  /** The page's address, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  readonly port: number;
  /** Closes the server and its connections. Idempotent. */
  stop(): Promise<void>;
}

// Nothing but this server: the page cannot load or send anything elsewhere, even by mistake.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/** Snapshots younger than this are shared between requests (several tabs, a fast reload). */
const SNAPSHOT_REUSE_MS = 750;

const toDocumentClient = (client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient =>
  client instanceof DynamoDBClient ? DynamoDBDocumentClient.from(client) : client;

const sendJson = (response: ServerResponse, status: number, body: unknown, head: boolean): void => {
  const payload = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    'cache-control': 'no-store',
  });
  response.end(head ? undefined : payload);
};

const sendError = (response: ServerResponse, status: number, error: ApiError, head: boolean): void =>
  sendJson(response, status, error, head);

const sendAsset = (request: IncomingMessage, response: ServerResponse, asset: Asset, head: boolean): void => {
  const headers = { ...COMMON_HEADERS, etag: asset.etag, 'cache-control': 'no-cache' };
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': asset.contentType,
    'content-length': asset.body.length,
  });
  response.end(head ? undefined : asset.body);
};

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error
    ? `${error.message}: ${error.cause.name}: ${error.cause.message}`
    : error.message;
};

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const onError = (error: Error) =>
      reject(new ServerStartError(`cannot listen on 127.0.0.1:${port}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });

/** The reads a snapshot is built from, and the recorder of pipeline health when there is one. */
const snapshotSourcesOf = (
  options: DashboardOptions,
  clock: () => number,
  refreshMs: number,
): { readonly sources: SnapshotSources; readonly recorder: PipelineHistoryRecorder | undefined } => {
  const client = toDocumentClient(options.dynamo);
  const recorder =
    options.pipelineStats === undefined
      ? undefined
      : new PipelineHistoryRecorder(options.pipelineStats, { intervalMs: refreshMs, clock });
  const sources: SnapshotSources = {
    analytics: new AnalyticsReader(client, options.tables.analytics),
    segmentStats: new DynamoDbSegmentStatsReader(client, options.tables.analytics),
    pipelineStats: options.pipelineStats,
    pipelineHistory: recorder === undefined ? undefined : () => recorder.samples(),
    source: options.source ?? 'DynamoDB',
    analyticsTable: options.tables.analytics,
  };
  return { sources, recorder };
};

/** Builds snapshots; one younger than {@link SNAPSHOT_REUSE_MS} is shared between requests. */
const sharedSnapshots = (
  sources: SnapshotSources,
  settings: SnapshotSettings,
  clock: () => number,
  refreshMs: number,
): (() => Promise<SnapshotResponse>) => {
  let latest: { at: number; snapshot: Promise<SnapshotResponse> } | undefined;
  return () => {
    // Reuse is measured on the machine's clock, not the data clock (which tests pin).
    const now = performance.now();
    if (latest !== undefined && now - latest.at < SNAPSHOT_REUSE_MS) return latest.snapshot;
    const next = buildSnapshot(sources, settings, clock()).then((built) => ({ ...built, refreshMs }));
    latest = { at: now, snapshot: next };
    // A failed snapshot is not reused: the next request tries again.
    next.catch(() => {
      if (latest?.snapshot === next) latest = undefined;
    });
    return next;
  };
};

/** `GET /api/snapshot`: a failure is answered 503 and logged once per distinct message. */
const snapshotEndpoint = (
  snapshot: () => Promise<SnapshotResponse>,
  logger: Pick<Logger, 'info' | 'warn'>,
  analyticsTable: string,
): ((response: ServerResponse, head: boolean) => void) => {
  let lastFailure: string | undefined;
  return (response, head) => {
    snapshot().then(
      (body) => {
        if (lastFailure !== undefined) logger.info('snapshot readable again', { analyticsTable });
        lastFailure = undefined;
        sendJson(response, 200, body, head);
      },
      (error: unknown) => {
        const message = describe(error);
        // Logged once per distinct failure, not on every refresh of every tab.
        if (message !== lastFailure) logger.warn('snapshot failed', { analyticsTable, error });
        lastFailure = message;
        const name = error instanceof Error ? error.name : 'Error';
        sendError(response, 503, { error: name, message }, head);
      },
    );
  };
};

/** What the request handler routes to; `port` is read per request (it is known once listening). */
interface Routes {
  readonly port: () => number;
  readonly snapshot: (response: ServerResponse, head: boolean) => void;
  readonly assets: ReadonlyMap<string, Asset>;
}

/** GET and HEAD only, from this machine's names only; then the API, then the page's assets. */
const handleRequest =
  (routes: Routes) =>
  (request: IncomingMessage, response: ServerResponse): void => {
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      sendError(
        response,
        405,
        { error: 'MethodNotAllowed', message: `${request.method} is not allowed` },
        head,
      );
      return;
    }
    // Only this machine's names: a page on another site cannot reach the API by DNS rebinding.
    const host = request.headers.host ?? '';
    const port = routes.port();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendError(
        response,
        421,
        { error: 'MisdirectedRequest', message: `unexpected Host header ${host}` },
        head,
      );
      return;
    }
    const path = new URL(request.url ?? '/', `http://${host}`).pathname;
    if (path === '/api/snapshot') {
      routes.snapshot(response, head);
      return;
    }
    const asset = routes.assets.get(path === '/index.html' ? '/' : path);
    if (asset === undefined) {
      sendError(response, 404, { error: 'NotFound', message: `${path} does not exist` }, head);
      return;
    }
    sendAsset(request, response, asset, head);
  };

/** The open connections of `server`, so that stopping does not wait for idle keep-alives. */
const trackSockets = (server: Server): Set<Socket> => {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
};

/**
 * Starts the dashboard: an HTTP server on 127.0.0.1 that serves the page (bundled at
 * start-up, see {@link bundleAssets}) and `GET /api/snapshot`, the figures it shows, read
 * from the analytics table through the aggregation service's read side.
 *
 * @throws {AssetBuildError} when the page does not build.
 * @throws {ServerStartError} when the port cannot be listened on.
 */
export const startDashboard = async (options: DashboardOptions): Promise<RunningDashboard> => {
  const logger = options.logger ?? new Logger({ serviceName: 'dashboard' });
  const clock = options.clock ?? Date.now;
  const refreshMs = options.refreshMs ?? 2000;
  const settings: SnapshotSettings = { ...DEFAULT_SNAPSHOT_SETTINGS, ...options.settings };
  const { sources, recorder } = snapshotSourcesOf(options, clock, refreshMs);
  const assets = await bundleAssets();
  const snapshot = snapshotEndpoint(
    sharedSnapshots(sources, settings, clock, refreshMs),
    logger,
    sources.analyticsTable,
  );

  let port = options.port ?? 0;
  const server = createServer(handleRequest({ port: () => port, snapshot, assets }));
  const sockets = trackSockets(server);
  port = await listen(server, port);
  recorder?.start();
  const url = `http://127.0.0.1:${port}/`;
  logger.info('dashboard listening', { url, analyticsTable: sources.analyticsTable });

  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () => {
      recorder?.stop();
      stopped ??= new Promise<void>((resolveStop) => {
        server.close(() => resolveStop());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
};
