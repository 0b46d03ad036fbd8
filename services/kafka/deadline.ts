import { BrokerUnreachableError, isAuthenticationFailure, KafkaAuthenticationError } from './errors.ts';

/** How long a tool waits for the cluster before giving up (connect + metadata). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The deadline, or kafkajs giving up on connecting (refused, reset, timed out, retries exhausted). */
const isUnreachable = (error: unknown): boolean =>
  error instanceof Error &&
  (error.message === 'timed out' || /Connection|NumberOfRetriesExceeded|RequestTimeout/.test(error.name));

/**
 * Runs a connecting step (a producer's or admin's connect, a consumer group's start) under one
 * overall deadline: kafkajs bounds each attempt, not the sum of retries and request timeouts,
 * so a silent broker would otherwise hold a tool for minutes.
 *
 * @param abandon called (not awaited) when the deadline passes: kafkajs' disconnect waits for
 *   the request in flight, which a silent broker never answers.
 * @throws {BrokerUnreachableError} naming the brokers, when the cluster does not answer in time.
 * @throws {KafkaAuthenticationError} naming the brokers, when the cluster refuses the credentials.
 */
export const withConnectDeadline = async <T>(
  connecting: Promise<T>,
  brokers: readonly string[],
  abandon: () => Promise<void>,
  timeoutMs: number = CONNECT_TIMEOUT_MS,
): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    return await Promise.race([connecting, deadline]);
  } catch (error) {
    connecting.catch(() => {});
    if (isAuthenticationFailure(error)) {
      void abandon().catch(() => {});
      throw new KafkaAuthenticationError(brokers, { cause: error });
    }
    if (!isUnreachable(error)) throw error;
    void abandon().catch(() => {});
    throw new BrokerUnreachableError(brokers, timeoutMs, { cause: error });
  } finally {
    clearTimeout(timer);
  }
};
