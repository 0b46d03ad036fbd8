/** Base class of the migration tool's errors (files, variables, a ksqlDB server's answers). */
export class KsqlMigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KsqlMigrationError';
  }
}
