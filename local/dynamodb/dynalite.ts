import dynalite from 'dynalite';
import { freePort, portOr } from '../../tooling/ports.ts';

/** A running DynamoDB emulator. */
export interface LocalDynamo {
  /** `http://127.0.0.1:PORT`, for `DYNAMODB_ENDPOINT`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in this process on 127.0.0.1, in memory unless `path` is given.
 *
 * Tables become ACTIVE on the next timer tick (createTableMs 0); createTables still waits for ACTIVE. dynalite implements
 * the DynamoDB API without transactions and without TTL expiry (it has no
 * UpdateTimeToLive): nothing in this project depends on either.
 */
export const startDynalite = async (
  options: { preferredPort?: number; path?: string } = {},
): Promise<LocalDynamo> => {
  const port = options.preferredPort === undefined ? await freePort() : await portOr(options.preferredPort);
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((listening, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => listening());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections?.();
        server.close(() => closed());
      }),
  };
};
