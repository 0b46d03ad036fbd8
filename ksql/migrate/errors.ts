import { AppError } from '../../services/commons/errors.ts';

/** Base class of the migration tool's errors (files, variables, a ksqlDB server's answers). */
export class KsqlMigrationError extends AppError {
  readonly code: string = 'KSQL_MIGRATION';
}
