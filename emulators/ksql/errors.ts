import { AppError } from '../../services/commons/errors.ts';

/**
 * Errors of the embedded ksql engine. Every error carries a message in ksqlDB's wording where
 * ksqlDB has one, so that a statement rejected here reads as it would on a real server.
 */

/** Base class of every error raised by the embedded ksql engine. */
export class KsqlError extends AppError {
  readonly code: string = 'KSQL';
}

/** Position of a token in the submitted text (line and column 1-based, as ksqlDB reports them). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A statement could not be parsed. The message names the line, the column and the statement. */
export class KsqlParseError extends KsqlError {
  override readonly code: string = 'KSQL_PARSE';
  readonly position: SourcePosition;
  readonly statement: string;
  constructor(detail: string, position: SourcePosition, statement: string) {
    super(`line ${position.line}:${position.column}: Syntax Error\n${detail}\nStatement: ${statement}`);
    this.position = position;
    this.statement = statement;
  }
}

/** A statement parsed but is invalid (unknown column, type error, ksqlDB rule violated). */
export class KsqlStatementError extends KsqlError {
  override readonly code: string = 'KSQL_STATEMENT';
  readonly statement: string | undefined;
  constructor(message: string, statement?: string, options?: { cause?: unknown }) {
    super(statement === undefined ? message : `${message}\nStatement: ${statement}`, options);
    this.statement = statement;
  }
}

/**
 * A statement uses a ksqlDB construct the embedded engine does not implement. It is rejected rather
 * than run with different semantics.
 */
export class KsqlUnsupportedError extends KsqlError {
  override readonly code: string = 'KSQL_UNSUPPORTED';
  readonly construct: string;
  constructor(construct: string) {
    super(`Unsupported by the embedded ksql engine: ${construct}`);
    this.construct = construct;
  }
}

/** A record's key or value could not be (de)serialised with the source's format and schema. */
export class KsqlSerdeError extends KsqlError {
  override readonly code: string = 'KSQL_SERDE';
}

/** An expression failed while being evaluated for one record (ksqlDB logs these and moves on). */
export class KsqlEvaluationError extends KsqlError {
  override readonly code: string = 'KSQL_EVALUATION';
}
