import { KsqlParseError, type SourcePosition } from './errors.ts';

/** Token kinds produced by {@link tokenize}. */
export const TokenKind = {
  Ident: 'ident',
  String: 'string',
  Integer: 'integer',
  Decimal: 'decimal',
  Op: 'op',
  Eof: 'eof',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** A lexical token. Unquoted identifiers are upper-cased, as ksqlDB does; `quoted` keeps the difference. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly quoted: boolean;
  readonly position: SourcePosition;
  readonly offset: number;
}

const OPERATORS = [
  ':=',
  '=>',
  '->',
  '<>',
  '!=',
  '<=',
  '>=',
  '||',
  '(',
  ')',
  ',',
  ';',
  '.',
  '*',
  '+',
  '-',
  '/',
  '%',
  '=',
  '<',
  '>',
  '[',
  ']',
];

/** Where the lexer stands in the text; the readers below advance it past what they read. */
interface Cursor {
  readonly text: string;
  readonly statementForErrors: () => string;
  i: number;
  line: number;
  lineStart: number;
}

// ksqlDB reports 1-based columns (ANTLR's charPositionInLine + 1).
const positionAt = (cursor: Cursor, at: number): SourcePosition => ({
  line: cursor.line,
  column: at - cursor.lineStart + 1,
});

/** Skips one run of whitespace or one comment; returns whether it skipped anything. */
const skipTrivia = (cursor: Cursor): boolean => {
  const { text } = cursor;
  const c = text[cursor.i] as string;
  if (c === '\n') {
    cursor.i++;
    cursor.line++;
    cursor.lineStart = cursor.i;
    return true;
  }
  if (c === ' ' || c === '\t' || c === '\r') {
    cursor.i++;
    return true;
  }
  if (c === '-' && text[cursor.i + 1] === '-') {
    while (cursor.i < text.length && text[cursor.i] !== '\n') cursor.i++;
    return true;
  }
  if (c === '/' && text[cursor.i + 1] === '*') {
    const end = text.indexOf('*/', cursor.i + 2);
    const stop = end === -1 ? text.length : end + 2;
    for (let j = cursor.i; j < stop; j++) {
      if (text[j] === '\n') {
        cursor.line++;
        cursor.lineStart = j + 1;
      }
    }
    cursor.i = stop;
    return true;
  }
  return false;
};

/** A single-quoted string literal; `''` inside is one quote. */
const readString = (cursor: Cursor, position: SourcePosition): Token => {
  const { text } = cursor;
  const start = cursor.i;
  let value = '';
  cursor.i++;
  for (;;) {
    if (cursor.i >= text.length)
      throw new KsqlParseError('unterminated string literal', position, cursor.statementForErrors());
    const ch = text[cursor.i] as string;
    if (ch === "'") {
      if (text[cursor.i + 1] === "'") {
        value += "'";
        cursor.i += 2;
        continue;
      }
      cursor.i++;
      break;
    }
    if (ch === '\n') {
      cursor.line++;
      cursor.lineStart = cursor.i + 1;
    }
    value += ch;
    cursor.i++;
  }
  return { kind: TokenKind.String, text: value, quoted: true, position, offset: start };
};

/** An identifier quoted with backticks or double quotes, kept as written. */
const readQuotedIdent = (cursor: Cursor, quote: string, position: SourcePosition): Token => {
  const start = cursor.i;
  const end = cursor.text.indexOf(quote, start + 1);
  if (end === -1)
    throw new KsqlParseError('unterminated quoted identifier', position, cursor.statementForErrors());
  cursor.i = end + 1;
  return {
    kind: TokenKind.Ident,
    text: cursor.text.slice(start + 1, end),
    quoted: true,
    position,
    offset: start,
  };
};

const startsNumber = (text: string, i: number): boolean =>
  /[0-9]/.test(text[i] as string) || (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? ''));

/** An integer or decimal literal: digits, an optional fraction, an optional exponent. */
const readNumber = (cursor: Cursor, position: SourcePosition): Token => {
  const { text, i } = cursor;
  let j = i;
  while (j < text.length && /[0-9]/.test(text[j] as string)) j++;
  let decimal = false;
  if (text[j] === '.' && /[0-9]/.test(text[j + 1] ?? '')) {
    decimal = true;
    j++;
    while (j < text.length && /[0-9]/.test(text[j] as string)) j++;
  } else if (text[j] === '.' && !/[A-Za-z_]/.test(text[j + 1] ?? '')) {
    decimal = true;
    j++;
  }
  if ((text[j] === 'e' || text[j] === 'E') && /[-+0-9]/.test(text[j + 1] ?? '')) {
    decimal = true;
    j++;
    if (text[j] === '+' || text[j] === '-') j++;
    while (j < text.length && /[0-9]/.test(text[j] as string)) j++;
  }
  cursor.i = j;
  return {
    kind: decimal ? TokenKind.Decimal : TokenKind.Integer,
    text: text.slice(i, j),
    quoted: false,
    position,
    offset: i,
  };
};

/** An unquoted identifier or keyword, upper-cased. */
const readWord = (cursor: Cursor, position: SourcePosition): Token => {
  const { text, i } = cursor;
  let j = i + 1;
  while (j < text.length && /[A-Za-z0-9_$@]/.test(text[j] as string)) j++;
  cursor.i = j;
  return {
    kind: TokenKind.Ident,
    text: text.slice(i, j).toUpperCase(),
    quoted: false,
    position,
    offset: i,
  };
};

/** The longest operator at the cursor (OPERATORS lists the two-character ones first). */
const readOperator = (cursor: Cursor, position: SourcePosition): Token => {
  const { text, i } = cursor;
  const op = OPERATORS.find((o) => text.startsWith(o, i));
  if (op === undefined) {
    throw new KsqlParseError(`extraneous input '${text[i]}'`, position, cursor.statementForErrors());
  }
  cursor.i += op.length;
  return { kind: TokenKind.Op, text: op, quoted: false, position, offset: i };
};

/** Reads the token at the cursor, which stands on a character that is not trivia. */
const readToken = (cursor: Cursor): Token => {
  const c = cursor.text[cursor.i] as string;
  const position = positionAt(cursor, cursor.i);
  if (c === "'") return readString(cursor, position);
  if (c === '`' || c === '"') return readQuotedIdent(cursor, c, position);
  if (startsNumber(cursor.text, cursor.i)) return readNumber(cursor, position);
  if (/[A-Za-z_$@]/.test(c)) return readWord(cursor, position);
  return readOperator(cursor, position);
};

/** Splits ksql text into tokens; comments (`--`, block comments) are skipped. */
export function tokenize(text: string, statementForErrors: () => string = () => text): Token[] {
  const tokens: Token[] = [];
  const cursor: Cursor = { text, statementForErrors, i: 0, line: 1, lineStart: 0 };
  while (cursor.i < text.length) {
    if (skipTrivia(cursor)) continue;
    tokens.push(readToken(cursor));
  }
  const end = cursor.i;
  tokens.push({
    kind: TokenKind.Eof,
    text: '<EOF>',
    quoted: false,
    position: positionAt(cursor, end),
    offset: end,
  });
  return tokens;
}
