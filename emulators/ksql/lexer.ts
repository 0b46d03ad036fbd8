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

/** Splits ksql text into tokens; comments (`--`, block comments) are skipped. */
export function tokenize(text: string, statementForErrors: () => string = () => text): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // ksqlDB reports 1-based columns (ANTLR's charPositionInLine + 1).
  const pos = (at: number): SourcePosition => ({ line, column: at - lineStart + 1 });
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (let j = i; j < stop; j++) {
        if (text[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = stop;
      continue;
    }
    const start = i;
    const position = pos(i);
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new KsqlParseError('unterminated string literal', position, statementForErrors());
        const ch = text[i] as string;
        if (ch === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: TokenKind.String, text: value, quoted: true, position, offset: start });
      continue;
    }
    if (c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end === -1)
        throw new KsqlParseError('unterminated quoted identifier', position, statementForErrors());
      tokens.push({
        kind: TokenKind.Ident,
        text: text.slice(i + 1, end),
        quoted: true,
        position,
        offset: start,
      });
      i = end + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
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
      tokens.push({
        kind: decimal ? TokenKind.Decimal : TokenKind.Integer,
        text: text.slice(i, j),
        quoted: false,
        position,
        offset: start,
      });
      i = j;
      continue;
    }
    if (/[A-Za-z_$@]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$@]/.test(text[j] as string)) j++;
      tokens.push({
        kind: TokenKind.Ident,
        text: text.slice(i, j).toUpperCase(),
        quoted: false,
        position,
        offset: start,
      });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) {
      throw new KsqlParseError(`extraneous input '${c}'`, position, statementForErrors());
    }
    tokens.push({ kind: TokenKind.Op, text: op, quoted: false, position, offset: start });
    i += op.length;
  }
  tokens.push({ kind: TokenKind.Eof, text: '<EOF>', quoted: false, position: pos(i), offset: i });
  return tokens;
}
