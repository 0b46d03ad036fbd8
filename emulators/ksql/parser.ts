import type {
  ColumnDef,
  CreateAsSelect,
  CreateSource,
  Expr,
  PropertyValue,
  Query,
  SelectItem,
  Statement,
  WindowSpec,
} from './ast.ts';
import { parseDurationParts } from './duration.ts';
import { KsqlParseError, KsqlUnsupportedError, type SourcePosition } from './errors.ts';
import { type Token, TokenKind, tokenize } from './lexer.ts';
import type { SqlType } from './types.ts';

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'WINDOW',
  'EMIT',
  'PARTITION',
  'LIMIT',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'OUTER',
  'ON',
  'WITHIN',
  'AND',
  'OR',
  'NOT',
  'AS',
  'BY',
  'IS',
  'NULL',
  'LIKE',
  'BETWEEN',
  'IN',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'TRUE',
  'FALSE',
  'WITH',
]);

/** One statement of a script: its text (up to and including the `;`) and its tokens. */
export interface StatementText {
  readonly text: string;
  readonly line: number;
  readonly tokens: readonly Token[];
}

/**
 * Splits a script into statements at top-level semicolons (strings and comments are respected).
 * Token positions stay relative to the whole script, so errors name the script's line.
 */
export function splitStatements(script: string): StatementText[] {
  const tokens = tokenize(script);
  const eof = tokens[tokens.length - 1] as Token;
  const out: StatementText[] = [];
  let startIndex = -1;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as Token;
    if (startIndex === -1) startIndex = i;
    if (t.kind === TokenKind.Op && t.text === ';') {
      const first = tokens[startIndex] as Token;
      out.push({
        text: script.slice(first.offset, t.offset + 1),
        line: first.position.line,
        tokens: [...tokens.slice(startIndex, i + 1), eof],
      });
      startIndex = -1;
    }
  }
  if (startIndex !== -1) {
    const first = tokens[startIndex] as Token;
    out.push({
      text: script.slice(first.offset).trimEnd(),
      line: first.position.line,
      tokens: tokens.slice(startIndex),
    });
  }
  return out;
}

/** Parses every statement of a script. */
export function parseScript(script: string): Statement[] {
  return splitStatements(script).map((s) => new Parser(s.text, s.tokens).statement());
}

/** Parses one statement produced by {@link splitStatements}. */
export function parseSplitStatement(s: StatementText): Statement {
  return new Parser(s.text, s.tokens).statement();
}

/**
 * Parses one statement of the supported subset. Statements of other kinds (INSERT, DROP, joins, ...)
 * raise {@link KsqlUnsupportedError}; malformed text raises {@link KsqlParseError}.
 */
export function parseStatement(text: string): Statement {
  return new Parser(text).statement();
}

/** Parses a single expression (used by tests). */
export function parseExpression(text: string): Expr {
  return new Parser(text).standaloneExpression();
}

/** Types without parameters that the engine runs, by the spellings ksqlDB accepts. */
const SCALAR_TYPES: ReadonlyMap<string, 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'STRING'> = new Map([
  ['BOOLEAN', 'BOOLEAN'],
  ['INT', 'INTEGER'],
  ['INTEGER', 'INTEGER'],
  ['BIGINT', 'BIGINT'],
  ['DOUBLE', 'DOUBLE'],
  ['STRING', 'STRING'],
  ['VARCHAR', 'STRING'],
]);

class Parser {
  private readonly text: string;
  private readonly tokens: readonly Token[];
  private index = 0;

  constructor(text: string, tokens?: readonly Token[]) {
    this.text = text;
    this.tokens = tokens ?? tokenize(text, () => text.trim());
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  private fail(detail: string, token: Token = this.peek()): never {
    throw new KsqlParseError(detail, token.position, this.text.trim());
  }

  private isKw(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === TokenKind.Ident && !t.quoted && t.text === word;
  }

  private acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.next();
      return true;
    }
    return false;
  }

  private expectKw(word: string): Token {
    if (!this.isKw(word)) this.fail(`mismatched input '${this.peek().text}' expecting '${word}'`);
    return this.next();
  }

  private isOp(op: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === TokenKind.Op && t.text === op;
  }

  private acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.next();
      return true;
    }
    return false;
  }

  private expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`mismatched input '${this.peek().text}' expecting '${op}'`);
    return this.next();
  }

  private identifier(what = 'identifier'): string {
    const t = this.peek();
    if (t.kind !== TokenKind.Ident || (!t.quoted && RESERVED.has(t.text))) {
      this.fail(`mismatched input '${t.text}' expecting ${what}`);
    }
    this.next();
    return t.text;
  }

  private end(): void {
    this.acceptOp(';');
    if (this.peek().kind !== TokenKind.Eof) this.fail(`extraneous input '${this.peek().text}' expecting ';'`);
  }

  standaloneExpression(): Expr {
    const e = this.expression();
    if (this.peek().kind !== TokenKind.Eof) this.fail(`extraneous input '${this.peek().text}'`);
    return e;
  }

  statement(): Statement {
    const first = this.peek();
    if (!this.isKw('CREATE')) {
      if (first.kind === TokenKind.Ident) {
        const words = [first.text];
        if (this.peek(1).kind === TokenKind.Ident) words.push(this.peek(1).text);
        throw new KsqlUnsupportedError(`${words.join(' ')} statement`);
      }
      this.fail(`mismatched input '${first.text}' expecting 'CREATE'`);
    }
    this.next();
    const { orReplace, sourceType, ifNotExists } = this.createHead();
    const name = this.identifier('a source name');
    let columns: ColumnDef[] | undefined;
    if (this.isOp('(')) columns = this.columnDefs();
    const properties = this.isKw('WITH') ? this.withProperties() : new Map<string, PropertyValue>();
    const text = this.text.trim();
    if (this.acceptKw('AS')) {
      if (columns !== undefined) this.fail("mismatched input 'AS' expecting ';'");
      const query = this.query();
      this.end();
      const stmt: CreateAsSelect = {
        k: 'createAsSelect',
        sourceType,
        name,
        orReplace,
        ifNotExists,
        properties,
        query,
        text,
      };
      return stmt;
    }
    this.end();
    const stmt: CreateSource = {
      k: 'createSource',
      sourceType,
      name,
      orReplace,
      ifNotExists,
      columns,
      properties,
      text,
    };
    return stmt;
  }

  /** After CREATE: `[OR REPLACE] STREAM|TABLE [IF NOT EXISTS]`. */
  private createHead(): { orReplace: boolean; sourceType: 'STREAM' | 'TABLE'; ifNotExists: boolean } {
    let orReplace = false;
    if (this.acceptKw('OR')) {
      this.expectKw('REPLACE');
      orReplace = true;
    }
    let sourceType: 'STREAM' | 'TABLE';
    if (this.acceptKw('STREAM')) sourceType = 'STREAM';
    else if (this.acceptKw('TABLE')) sourceType = 'TABLE';
    else if (this.isKw('SOURCE')) throw new KsqlUnsupportedError('CREATE SOURCE STREAM/TABLE');
    else throw new KsqlUnsupportedError(`CREATE ${this.peek().text} statement`);
    let ifNotExists = false;
    if (this.isKw('IF')) {
      this.next();
      this.expectKw('NOT');
      this.expectKw('EXISTS');
      ifNotExists = true;
    }
    return { orReplace, sourceType, ifNotExists };
  }

  private columnDefs(): ColumnDef[] {
    this.expectOp('(');
    const cols: ColumnDef[] = [];
    do {
      const pos = this.peek().position;
      const name = this.identifier('a column name');
      const type = this.type();
      let key = false;
      let primaryKey = false;
      let headers = false;
      if (this.acceptKw('KEY')) key = true;
      else if (this.acceptKw('PRIMARY')) {
        this.expectKw('KEY');
        key = true;
        primaryKey = true;
      } else if (this.acceptKw('HEADERS')) headers = true;
      else if (this.acceptKw('HEADER')) {
        this.expectOp('(');
        this.next();
        this.expectOp(')');
        headers = true;
      }
      if (!this.isOp(',') && !this.isOp(')')) this.fail("Expecting {',', ')'}");
      cols.push({ name, type, key, primaryKey, headers, pos });
    } while (this.acceptOp(','));
    this.expectOp(')');
    return cols;
  }

  private type(): SqlType {
    const t = this.peek();
    if (t.kind !== TokenKind.Ident) this.fail(`mismatched input '${t.text}' expecting a type`);
    this.next();
    const name = t.quoted ? t.text.toUpperCase() : t.text;
    const scalar = SCALAR_TYPES.get(name);
    if (scalar !== undefined) {
      this.scalarTypeParams(name);
      return { kind: scalar };
    }
    switch (name) {
      case 'DECIMAL':
        return this.decimalType();
      case 'ARRAY': {
        this.expectOp('<');
        const item = this.type();
        this.expectOp('>');
        return { kind: 'ARRAY', item };
      }
      case 'MAP': {
        this.expectOp('<');
        const key = this.type();
        this.expectOp(',');
        const value = this.type();
        this.expectOp('>');
        return { kind: 'MAP', key, value };
      }
      case 'STRUCT':
        return this.structType();
      default:
        // DATE, TIME, TIMESTAMP, BYTES and any unknown name: parsed, refused where used.
        return { kind: 'UNSUPPORTED', spelling: name };
    }
  }

  /**
   * The grammar allows `type(param, ...)` with params STRING or an integer after any type
   * name; only VARCHAR(STRING) means anything.
   */
  private scalarTypeParams(name: string): void {
    if (!this.isOp('(')) return;
    this.next();
    const params: string[] = [];
    do {
      const p = this.peek();
      if (
        !(p.kind === TokenKind.Integer || (p.kind === TokenKind.Ident && !p.quoted && p.text === 'STRING'))
      ) {
        this.fail("Expecting {'STRING', INTEGER_VALUE}");
      }
      params.push(this.next().text);
    } while (this.acceptOp(','));
    this.expectOp(')');
    if (!((name === 'VARCHAR' || name === 'STRING') && params.length === 1 && params[0] === 'STRING')) {
      throw new KsqlUnsupportedError(`type ${name}(${params.join(', ')})`);
    }
  }

  private decimalType(): SqlType {
    this.expectOp('(');
    const p = this.next().text;
    this.expectOp(',');
    const s = this.next().text;
    this.expectOp(')');
    return { kind: 'UNSUPPORTED', spelling: `DECIMAL(${p}, ${s})` };
  }

  private structType(): SqlType {
    this.expectOp('<');
    const fields: { name: string; type: SqlType }[] = [];
    if (!this.isOp('>')) {
      do {
        const fname = this.next();
        if (fname.kind !== TokenKind.Ident)
          this.fail(`mismatched input '${fname.text}' expecting a field name`, fname);
        fields.push({ name: fname.text, type: this.type() });
      } while (this.acceptOp(','));
    }
    this.expectOp('>');
    return { kind: 'STRUCT', fields };
  }

  private withProperties(): Map<string, PropertyValue> {
    this.expectKw('WITH');
    this.expectOp('(');
    const props = new Map<string, PropertyValue>();
    do {
      const keyTok = this.next();
      if (keyTok.kind !== TokenKind.Ident && keyTok.kind !== TokenKind.String) {
        this.fail(`mismatched input '${keyTok.text}' expecting a property name`, keyTok);
      }
      this.expectOp('=');
      const v = this.next();
      let value: PropertyValue;
      if (v.kind === TokenKind.String) value = v.text;
      else if (v.kind === TokenKind.Integer || v.kind === TokenKind.Decimal) value = Number(v.text);
      else if (v.kind === TokenKind.Ident && (v.text === 'TRUE' || v.text === 'FALSE'))
        value = v.text === 'TRUE';
      else this.fail(`mismatched input '${v.text}' expecting a literal`, v);
      props.set(keyTok.text.toUpperCase(), value);
    } while (this.acceptOp(','));
    this.expectOp(')');
    return props;
  }

  private query(): Query {
    this.expectKw('SELECT');
    const select: SelectItem[] = [];
    do {
      select.push(this.selectItem());
    } while (this.acceptOp(','));
    this.expectKw('FROM');
    const fromPos = this.peek().position;
    const fromName = this.identifier('a source name');
    const alias = this.optionalAlias();
    if (['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL'].some((w) => this.isKw(w)) || this.isOp(',')) {
      throw new KsqlUnsupportedError('JOIN');
    }
    let window: WindowSpec | undefined;
    let where: Expr | undefined;
    let groupBy: Expr[] | undefined;
    let partitionBy: Expr[] | undefined;
    let having: Expr | undefined;
    if (this.acceptKw('WINDOW')) window = this.windowSpec();
    if (this.acceptKw('WHERE')) where = this.expression();
    if (this.acceptKw('GROUP')) {
      this.expectKw('BY');
      groupBy = this.groupingList();
    }
    if (this.acceptKw('PARTITION')) {
      this.expectKw('BY');
      partitionBy = this.groupingList();
    }
    if (this.acceptKw('HAVING')) having = this.expression();
    const emit = this.emitClause();
    if (this.isKw('LIMIT')) throw new KsqlUnsupportedError('LIMIT');
    return {
      select,
      from: { name: fromName, alias, pos: fromPos },
      window,
      where,
      groupBy,
      partitionBy,
      having,
      emit,
    };
  }

  /** `*`, `source.*`, or an expression with an optional alias. */
  private selectItem(): SelectItem {
    const pos = this.peek().position;
    if (this.isOp('*')) {
      this.next();
      return { k: 'all', source: undefined, pos };
    }
    if (this.peek().kind === TokenKind.Ident && this.isOp('.', 1) && this.isOp('*', 2)) {
      const source = this.next().text;
      this.next();
      this.next();
      return { k: 'all', source, pos };
    }
    const expr = this.expression();
    return { k: 'expr', expr, alias: this.optionalAlias(), pos };
  }

  /** `AS alias`, or a bare identifier that is not a reserved word. */
  private optionalAlias(): string | undefined {
    if (this.acceptKw('AS')) return this.identifier('an alias');
    if (this.peek().kind === TokenKind.Ident && (this.peek().quoted || !RESERVED.has(this.peek().text))) {
      return this.next().text;
    }
    return undefined;
  }

  private emitClause(): 'CHANGES' | 'FINAL' | undefined {
    if (!this.acceptKw('EMIT')) return undefined;
    if (this.acceptKw('CHANGES')) return 'CHANGES';
    if (this.acceptKw('FINAL')) return 'FINAL';
    this.fail(`mismatched input '${this.peek().text}' expecting {'CHANGES', 'FINAL'}`);
  }

  /** GROUP BY / PARTITION BY: value expressions (no boolean operators), or one parenthesised set. */
  private groupingList(): Expr[] {
    if (this.isOp('(') && this.looksLikeGroupingSet()) {
      this.next();
      const list = [this.additive()];
      while (this.acceptOp(',')) list.push(this.additive());
      this.expectOp(')');
      return list;
    }
    const list: Expr[] = [];
    do {
      if (this.isOp('(') && this.looksLikeGroupingSet()) {
        this.next();
        this.additive();
        this.fail("missing ')' at ','");
      }
      list.push(this.additive());
    } while (this.acceptOp(','));
    return list;
  }

  private looksLikeGroupingSet(): boolean {
    let depth = 0;
    for (let i = this.index; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.kind !== TokenKind.Op) continue;
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        depth--;
        if (depth === 0) return false;
      } else if (t.text === ',' && depth === 1) return true;
    }
    return false;
  }

  private windowSpec(): WindowSpec {
    // SqlBase.g4 (confluentinc/ksql, ksqldb-parser): `windowExpression: (IDENTIFIER)?
    // (tumblingWindowExpression | hoppingWindowExpression | sessionWindowExpression)`. The name
    // is accepted and has no effect on the query, as in ksqlDB.
    const WINDOW_TYPES = ['TUMBLING', 'HOPPING', 'SESSION'];
    if (
      this.peek().kind === TokenKind.Ident &&
      !WINDOW_TYPES.includes(this.peek().text) &&
      WINDOW_TYPES.some((type) => this.isKw(type, 1))
    ) {
      this.next();
    }
    const typeTok = this.next();
    const type = typeTok.text;
    if (type !== 'TUMBLING' && type !== 'HOPPING' && type !== 'SESSION') {
      this.fail(`mismatched input '${type}' expecting {'TUMBLING', 'HOPPING', 'SESSION'}`, typeTok);
    }
    this.expectOp('(');
    let size: number | undefined;
    let advance: number | undefined;
    let gap: number | undefined;
    let grace: number | undefined;
    let retention: number | undefined;
    if (type === 'SESSION') gap = this.duration();
    for (let first = type !== 'SESSION'; first || this.acceptOp(','); first = false) {
      if (this.acceptKw('SIZE')) size = this.duration();
      else if (this.acceptKw('ADVANCE')) {
        this.expectKw('BY');
        advance = this.duration();
      } else if (this.acceptKw('RETENTION')) retention = this.duration();
      else if (this.acceptKw('GRACE')) {
        this.expectKw('PERIOD');
        grace = this.duration();
      } else
        this.fail(
          `mismatched input '${this.peek().text}' expecting {'SIZE', 'ADVANCE', 'RETENTION', 'GRACE'}`,
        );
    }
    this.expectOp(')');
    if (type === 'SESSION') return { type, gap: gap as number, grace, retention };
    if (size === undefined) this.fail("missing 'SIZE' in window expression", typeTok);
    if (type === 'HOPPING') {
      if (advance === undefined) this.fail("missing 'ADVANCE BY' in HOPPING window expression", typeTok);
      return { type, size, advance, grace, retention };
    }
    if (advance !== undefined)
      this.fail("'ADVANCE BY' is not valid in a TUMBLING window expression", typeTok);
    return { type, size, grace, retention };
  }

  private duration(): number {
    const n = this.next();
    if (n.kind !== TokenKind.Integer) this.fail(`mismatched input '${n.text}' expecting INTEGER_VALUE`, n);
    const unit = this.next();
    const ms = parseDurationParts(Number(n.text), unit.text);
    if (ms === undefined) this.fail(`Unknown time unit: '${unit.text}'`, unit);
    return ms;
  }

  // ---- expressions, lowest precedence first ----

  expression(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isKw('OR')) {
      const pos = this.next().position;
      left = { k: 'logical', op: 'OR', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isKw('AND')) {
      const pos = this.next().position;
      left = { k: 'logical', op: 'AND', left, right: this.not(), pos };
    }
    return left;
  }

  private not(): Expr {
    if (this.isKw('NOT')) {
      const pos = this.next().position;
      return { k: 'not', operand: this.not(), pos };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === TokenKind.Op && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      const op = (t.text === '!=' ? '<>' : t.text) as '=' | '<>' | '<' | '<=' | '>' | '>=';
      return { k: 'compare', op, left, right: this.additive(), pos: t.position };
    }
    if (this.isKw('IS')) {
      this.next();
      const negated = this.acceptKw('NOT');
      if (this.isKw('DISTINCT')) throw new KsqlUnsupportedError('IS DISTINCT FROM');
      this.expectKw('NULL');
      return { k: 'isNull', operand: left, negated, pos: t.position };
    }
    const negated =
      this.isKw('NOT') && (this.isKw('BETWEEN', 1) || this.isKw('IN', 1) || this.isKw('LIKE', 1));
    if (negated) this.next();
    if (this.acceptKw('BETWEEN')) {
      const low = this.additive();
      this.expectKw('AND');
      return { k: 'between', operand: left, low, high: this.additive(), negated, pos: t.position };
    }
    if (this.acceptKw('IN')) {
      this.expectOp('(');
      const list = [this.expression()];
      while (this.acceptOp(',')) list.push(this.expression());
      this.expectOp(')');
      return { k: 'in', operand: left, list, negated, pos: t.position };
    }
    if (this.acceptKw('LIKE')) {
      const pattern = this.additive();
      if (this.isKw('ESCAPE')) throw new KsqlUnsupportedError('LIKE ... ESCAPE');
      return { k: 'like', operand: left, pattern, negated, pos: t.position };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.kind === TokenKind.Op && (t.text === '+' || t.text === '-')) {
        this.next();
        left = { k: 'arith', op: t.text, left, right: this.multiplicative(), pos: t.position };
      } else if (t.kind === TokenKind.Op && t.text === '||') {
        throw new KsqlUnsupportedError("'||' operator");
      } else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind === TokenKind.Op && (t.text === '*' || t.text === '/' || t.text === '%')) {
        this.next();
        left = { k: 'arith', op: t.text, left, right: this.unary(), pos: t.position };
      } else return left;
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === TokenKind.Op && t.text === '-') {
      this.next();
      const operand = this.unary();
      if (operand.k === 'literal' && typeof operand.value === 'number') {
        return { ...operand, value: -operand.value, pos: t.position };
      }
      return { k: 'negate', operand, pos: t.position };
    }
    if (t.kind === TokenKind.Op && t.text === '+') {
      this.next();
      return this.unary();
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      const t = this.peek();
      if (this.isOp('->')) {
        this.next();
        if (this.isOp('*')) throw new KsqlUnsupportedError('struct field expansion (->*)');
        const f = this.next();
        if (f.kind !== TokenKind.Ident) this.fail(`mismatched input '${f.text}' expecting a field name`, f);
        e = { k: 'deref', base: e, field: f.text, pos: t.position };
      } else if (this.isOp('[')) {
        this.next();
        const index = this.expression();
        this.expectOp(']');
        e = { k: 'subscript', base: e, index, pos: t.position };
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case TokenKind.Integer:
      case TokenKind.Decimal:
      case TokenKind.String:
        return this.literal(t);
      case TokenKind.Op:
        if (t.text === '(') {
          this.next();
          const e = this.expression();
          this.expectOp(')');
          return e;
        }
        this.fail(`extraneous input '${t.text}'`);
        break;
      case TokenKind.Eof:
        this.fail("mismatched input '<EOF>'");
        break;
      default:
        break;
    }
    if (!t.quoted) {
      const keyword = this.keywordPrimary(t);
      if (keyword !== undefined) return keyword;
    }
    this.next();
    if (this.isOp('(')) return this.call(t.text, t.position);
    if (this.isOp('.') && this.peek(1).kind === TokenKind.Ident) {
      this.next();
      const col = this.next();
      return { k: 'column', source: t.text, name: col.text, pos: t.position };
    }
    return { k: 'column', source: undefined, name: t.text, pos: t.position };
  }

  /** A number or string literal token, consumed. */
  private literal(t: Token): Expr {
    this.next();
    const pos = t.position;
    if (t.kind === TokenKind.String) return { k: 'literal', type: 'STRING', value: t.text, pos };
    const value = Number(t.text);
    if (t.kind === TokenKind.Integer) {
      return { k: 'literal', type: value <= 2147483647 ? 'INTEGER' : 'BIGINT', value, pos };
    }
    return { k: 'literal', type: /[eE]/.test(t.text) ? 'DOUBLE' : 'DECIMAL', value, pos };
  }

  /**
   * An expression led by an unquoted keyword (TRUE, FALSE, NULL, CASE, CAST), or undefined when
   * `t` names a column or function; refuses the constructs the engine does not run and
   * reserved words.
   */
  private keywordPrimary(t: Token): Expr | undefined {
    const pos = t.position;
    if (t.text === 'TRUE' || t.text === 'FALSE') {
      this.next();
      return { k: 'literal', type: 'BOOLEAN', value: t.text === 'TRUE', pos };
    }
    if (t.text === 'NULL') {
      this.next();
      return { k: 'literal', type: 'NULL', value: null, pos };
    }
    if (t.text === 'CASE') return this.caseExpr();
    if (t.text === 'CAST' && this.isOp('(', 1)) {
      this.next();
      this.next();
      const operand = this.expression();
      this.expectKw('AS');
      const type = this.type();
      this.expectOp(')');
      return { k: 'cast', operand, type, pos };
    }
    if (t.text === 'INTERVAL') throw new KsqlUnsupportedError('INTERVAL literal');
    if (
      (t.text === 'ARRAY' && this.isOp('[', 1)) ||
      ((t.text === 'STRUCT' || t.text === 'MAP') && this.isOp('(', 1))
    ) {
      throw new KsqlUnsupportedError(`${t.text} constructor`);
    }
    if (RESERVED.has(t.text)) this.fail(`extraneous input '${t.text}'`);
    return undefined;
  }

  private call(name: string, pos: SourcePosition): Expr {
    this.expectOp('(');
    if (this.acceptOp(')')) return { k: 'call', name, args: [], star: false, pos };
    if (this.isOp('*')) {
      this.next();
      this.expectOp(')');
      return { k: 'call', name, args: [], star: true, pos };
    }
    if (this.isKw('DISTINCT')) throw new KsqlUnsupportedError(`${name}(DISTINCT ...)`);
    const args: Expr[] = [];
    do {
      if (this.isLambdaStart()) throw new KsqlUnsupportedError('lambda expressions');
      if (this.peek().kind === TokenKind.Ident && this.isOp(':=', 1))
        throw new KsqlUnsupportedError(`${name} constructor`);
      args.push(this.expression());
      if (this.isOp('-') && this.isOp('>', 1)) throw new KsqlUnsupportedError('lambda expressions');
    } while (this.acceptOp(','));
    this.expectOp(')');
    return { k: 'call', name, args, star: false, pos };
  }

  /** `x =>` or `(x, y, …) =>`: a lambda argument (ksqlDB's `lambdaFunction` rule). */
  private isLambdaStart(): boolean {
    if (this.peek().kind === TokenKind.Ident) return this.isOp('=>', 1);
    if (!this.isOp('(')) return false;
    let i = 1;
    while (this.peek(i).kind === TokenKind.Ident) {
      if (this.isOp(')', i + 1)) return this.isOp('=>', i + 2);
      if (!this.isOp(',', i + 1)) return false;
      i += 2;
    }
    return false;
  }

  private caseExpr(): Expr {
    const pos = this.expectKw('CASE').position;
    const operand = this.isKw('WHEN') ? undefined : this.expression();
    const whens: { when: Expr; result: Expr }[] = [];
    while (this.acceptKw('WHEN')) {
      const when = this.expression();
      this.expectKw('THEN');
      whens.push({ when, result: this.expression() });
    }
    if (whens.length === 0) this.fail(`mismatched input '${this.peek().text}' expecting 'WHEN'`);
    const otherwise = this.acceptKw('ELSE') ? this.expression() : undefined;
    this.expectKw('END');
    return { k: 'case', operand, whens, otherwise, pos };
  }
}
