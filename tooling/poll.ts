/**
 * Polls `probe` until it returns a value other than `undefined`, or throws the last error
 * once `timeoutMs` has passed. The interval is short: readiness is detected, never slept on.
 */
export const pollUntil = async <T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; what: string; abort?: () => Error | undefined },
): Promise<T> => {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${reason}`, {
        cause: lastError,
      });
    }
    await new Promise((wake) => setTimeout(wake, options.intervalMs ?? 100));
  }
};
