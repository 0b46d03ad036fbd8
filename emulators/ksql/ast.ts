import type { SourcePosition } from './errors.ts';
import type { SqlType } from './types.ts';

/** Expression nodes of the supported ksql subset. Every node keeps its position for messages. */
export type Expr =
  | {
      readonly k: 'literal';
      readonly pos: SourcePosition;
      readonly type: 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DECIMAL' | 'STRING' | 'BOOLEAN' | 'NULL';
      readonly value: string | number | boolean | null;
    }
  | {
      readonly k: 'column';
      readonly pos: SourcePosition;
      readonly source: string | undefined;
      readonly name: string;
    }
  | { readonly k: 'deref'; readonly pos: SourcePosition; readonly base: Expr; readonly field: string }
  | { readonly k: 'subscript'; readonly pos: SourcePosition; readonly base: Expr; readonly index: Expr }
  | {
      readonly k: 'arith';
      readonly pos: SourcePosition;
      readonly op: '+' | '-' | '*' | '/' | '%';
      readonly left: Expr;
      readonly right: Expr;
    }
  | { readonly k: 'negate'; readonly pos: SourcePosition; readonly operand: Expr }
  | {
      readonly k: 'compare';
      readonly pos: SourcePosition;
      readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      readonly left: Expr;
      readonly right: Expr;
    }
  | {
      readonly k: 'logical';
      readonly pos: SourcePosition;
      readonly op: 'AND' | 'OR';
      readonly left: Expr;
      readonly right: Expr;
    }
  | { readonly k: 'not'; readonly pos: SourcePosition; readonly operand: Expr }
  | { readonly k: 'isNull'; readonly pos: SourcePosition; readonly operand: Expr; readonly negated: boolean }
  | {
      readonly k: 'between';
      readonly pos: SourcePosition;
      readonly operand: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
    }
  | {
      readonly k: 'in';
      readonly pos: SourcePosition;
      readonly operand: Expr;
      readonly list: readonly Expr[];
      readonly negated: boolean;
    }
  | {
      readonly k: 'like';
      readonly pos: SourcePosition;
      readonly operand: Expr;
      readonly pattern: Expr;
      readonly negated: boolean;
    }
  | {
      readonly k: 'case';
      readonly pos: SourcePosition;
      readonly operand: Expr | undefined;
      readonly whens: readonly { readonly when: Expr; readonly result: Expr }[];
      readonly otherwise: Expr | undefined;
    }
  | { readonly k: 'cast'; readonly pos: SourcePosition; readonly operand: Expr; readonly type: SqlType }
  | {
      readonly k: 'call';
      readonly pos: SourcePosition;
      readonly name: string;
      readonly args: readonly Expr[];
      readonly star: boolean;
    };

/** A column of CREATE STREAM/TABLE. */
export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly key: boolean;
  readonly primaryKey: boolean;
  readonly headers: boolean;
  readonly pos: SourcePosition;
}

/** A WITH property value. */
export type PropertyValue = string | number | boolean;

/** A window clause. Durations are in milliseconds. */
export type WindowSpec =
  | {
      readonly type: 'TUMBLING';
      readonly size: number;
      readonly grace: number | undefined;
      readonly retention: number | undefined;
    }
  | {
      readonly type: 'HOPPING';
      readonly size: number;
      readonly advance: number;
      readonly grace: number | undefined;
      readonly retention: number | undefined;
    }
  | {
      readonly type: 'SESSION';
      readonly gap: number;
      readonly grace: number | undefined;
      readonly retention: number | undefined;
    };

/** A SELECT item. */
export type SelectItem =
  | { readonly k: 'all'; readonly source: string | undefined; readonly pos: SourcePosition }
  | {
      readonly k: 'expr';
      readonly expr: Expr;
      readonly alias: string | undefined;
      readonly pos: SourcePosition;
    };

/** The query of CREATE ... AS SELECT. */
export interface Query {
  readonly select: readonly SelectItem[];
  readonly from: { readonly name: string; readonly alias: string | undefined; readonly pos: SourcePosition };
  readonly window: WindowSpec | undefined;
  readonly where: Expr | undefined;
  readonly groupBy: readonly Expr[] | undefined;
  readonly partitionBy: readonly Expr[] | undefined;
  readonly having: Expr | undefined;
  readonly emit: 'CHANGES' | 'FINAL' | undefined;
}

/** CREATE STREAM / CREATE TABLE over an existing topic. */
export interface CreateSource {
  readonly k: 'createSource';
  readonly sourceType: 'STREAM' | 'TABLE';
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[] | undefined;
  readonly properties: ReadonlyMap<string, PropertyValue>;
  readonly text: string;
}

/** CREATE STREAM / TABLE ... AS SELECT. */
export interface CreateAsSelect {
  readonly k: 'createAsSelect';
  readonly sourceType: 'STREAM' | 'TABLE';
  readonly name: string;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly properties: ReadonlyMap<string, PropertyValue>;
  readonly query: Query;
  readonly text: string;
}

/** A parsed statement. */
export type Statement = CreateSource | CreateAsSelect;
