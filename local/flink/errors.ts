/** Base class of the local Flink launcher's errors. */
export class LocalFlinkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalFlinkError';
  }
}

/** The local Flink job did not start (the runner exited, or did not submit in time). */
export class FlinkStartError extends LocalFlinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FlinkStartError';
  }
}
