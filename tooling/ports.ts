import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on 127.0.0.1 (tests bind to loopback only). */
export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port assigned'));
        else resolvePort(address.port);
      });
    });
  });

/** Resolves `preferred` when it is free on 127.0.0.1, otherwise any free port. */
export const portOr = (preferred: number): Promise<number> =>
  new Promise((resolvePort) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolvePort(freePort()));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolvePort(preferred)));
  });
