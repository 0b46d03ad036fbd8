import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real service (dynalite here), for faults a fake
 * cannot show: connections dropped for a while, or answers slowed down. Bytes pass unchanged.
 */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: what the client under test is pointed at. */
  readonly endpoint: string;
  /**
   * Drops every open connection now and every new one until `ms` have passed (each is
   * accepted and reset at once, as a crashed service behind a load balancer looks).
   */
  cut(ms: number): void;
  /** Holds every answer of the service for `ms` before passing it on; 0 stops. */
  delayAnswers(ms: number): void;
  /** Connections accepted so far, dropped or not. */
  readonly accepted: () => number;
  stop(): Promise<void>;
}

export const startTcpProxy = async (target: { host: string; port: number }): Promise<TcpProxy> => {
  const open = new Set<Socket>();
  let cutUntil = 0;
  let delayMs = 0;
  let accepted = 0;

  const server: Server = createServer((client) => {
    accepted += 1;
    if (Date.now() < cutUntil) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    // Answers go through a chain of timers so that a delay keeps their order.
    let chain = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const hold = delayMs;
      upstream.pause();
      chain = chain.then(
        () =>
          new Promise<void>((done) =>
            setTimeout(() => {
              if (!client.destroyed) client.write(chunk);
              upstream.resume();
              done();
            }, hold),
          ),
      );
    });
    upstream.on('end', () => {
      chain = chain.then(() => {
        client.end();
      });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    cut: (ms) => {
      cutUntil = Date.now() + ms;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    delayAnswers: (ms) => {
      delayMs = ms;
    },
    accepted: () => accepted,
    stop: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
};
