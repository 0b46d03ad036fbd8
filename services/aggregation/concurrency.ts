/**
 * Runs tasks with at most `limit` in flight. On the first failure no further task starts;
 * the ones in flight are awaited (so nothing is left running behind the caller's back)
 * and the first error is thrown.
 */
export const runWithConcurrency = async <T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> => {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      const index = next++;
      const task = tasks[index];
      if (task === undefined) return;
      try {
        results[index] = await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
};
