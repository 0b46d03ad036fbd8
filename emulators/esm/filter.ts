/**
 * FilterCriteria for Kafka event source mappings, in the AWS event-filtering syntax.
 *
 * Kafka mappings filter on `value` only; Lambda decodes the value as UTF-8 and, when it is
 * JSON, matches field patterns against it, otherwise matches a plain-string pattern against
 * the whole value. A record matches the criteria when it matches any one filter.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 */
import { EsmError } from './errors.ts';

/** A filter pattern that AWS would reject (invalid syntax, or a key other than `value`). */
export class FilterSyntaxError extends EsmError {
  override readonly code: string = 'FILTER_SYNTAX';
  constructor(message: string) {
    super(message);
  }
}

type Scalar = string | number | boolean | null;
type Leaf = (value: unknown) => boolean;
type Node = (data: unknown) => boolean;

/** The value as Lambda sees it for filtering. */
export type FilterableValue =
  | { readonly kind: 'json'; readonly data: unknown }
  | { readonly kind: 'string'; readonly data: string }
  | { readonly kind: 'opaque' };

/** One compiled filter: its `value` pattern, either JSON field patterns or plain-string matchers. */
interface CompiledFilter {
  readonly format: 'json' | 'string';
  readonly matches: Node;
}

/** Compiled FilterCriteria; {@link matchesFilterCriteria} applies them. */
export interface FilterCriteria {
  /** The patterns as configured, for logs and docs. */
  readonly patterns: readonly unknown[];
  readonly filters: readonly CompiledFilter[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const NUMERIC_OPERATORS = ['<', '<=', '=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];
const isNumericOperator = (value: unknown): value is NumericOperator =>
  typeof value === 'string' && (NUMERIC_OPERATORS as readonly string[]).includes(value);

const compare = (op: NumericOperator, left: number, right: number): boolean => {
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '=':
      return left === right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
};

const compileNumeric = (spec: unknown, path: string): Leaf => {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0 || spec.length > 4) {
    throw new FilterSyntaxError(`${path}: "numeric" takes [op, n] or [op, n, op, n]`);
  }
  const conditions: Array<{ op: NumericOperator; operand: number }> = [];
  for (let i = 0; i < spec.length; i += 2) {
    const op: unknown = spec[i];
    const operand: unknown = spec[i + 1];
    if (!isNumericOperator(op) || typeof operand !== 'number') {
      throw new FilterSyntaxError(`${path}: "numeric" operators are < <= = > >= followed by a number`);
    }
    conditions.push({ op, operand });
  }
  return (value) => typeof value === 'number' && conditions.every((c) => compare(c.op, value, c.operand));
};

const compileStringTest = (key: string, operand: unknown, path: string): ((value: string) => boolean) => {
  if (typeof operand !== 'string') throw new FilterSyntaxError(`${path}: "${key}" takes a string`);
  switch (key) {
    case 'prefix':
      return (value) => value.startsWith(operand);
    case 'suffix':
      return (value) => value.endsWith(operand);
    case 'equals-ignore-case':
      return (value) => value.toLowerCase() === operand.toLowerCase();
    default:
      throw new FilterSyntaxError(`${path}: unknown string operator "${key}"`);
  }
};

const compileAnythingBut = (spec: unknown, path: string): Leaf => {
  if (isRecord(spec)) {
    const [entry, ...rest] = Object.entries(spec);
    if (entry === undefined || rest.length > 0) {
      throw new FilterSyntaxError(`${path}: "anything-but" takes one operator`);
    }
    const test = compileStringTest(entry[0], entry[1], path);
    return (value) => typeof value === 'string' && !test(value);
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  if (!excluded.every(isScalar)) {
    throw new FilterSyntaxError(`${path}: "anything-but" takes a value, a list of values or a prefix/suffix`);
  }
  return (value) => value !== undefined && !excluded.some((item) => item === value);
};

/** Compiles one matcher of a field's list; `exists` is handled by the caller. */
const compileMatcher = (matcher: unknown, path: string): Leaf => {
  if (isScalar(matcher)) return (value) => value === matcher;
  if (!isRecord(matcher)) throw new FilterSyntaxError(`${path}: a matcher is a value or a one-key object`);
  const [entry, ...rest] = Object.entries(matcher);
  if (entry === undefined || rest.length > 0) {
    throw new FilterSyntaxError(`${path}: a matcher object has exactly one operator`);
  }
  const [key, operand] = entry;
  switch (key) {
    case 'numeric':
      return compileNumeric(operand, path);
    case 'anything-but':
      return compileAnythingBut(operand, path);
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case': {
      const test = compileStringTest(key, operand, path);
      return (value) => typeof value === 'string' && test(value);
    }
    default:
      throw new FilterSyntaxError(`${path}: operator "${key}" is not supported here`);
  }
};

/** A field's list of matchers: the field matches when any matcher does. */
const compileMatchers = (list: unknown[], path: string): Leaf => {
  if (list.length === 0) throw new FilterSyntaxError(`${path}: an empty list matches nothing`);
  const present: Leaf[] = [];
  let exists: boolean | undefined;
  for (const matcher of list) {
    if (isRecord(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean' || Object.keys(matcher).length !== 1) {
        throw new FilterSyntaxError(`${path}: "exists" takes true or false`);
      }
      exists = matcher.exists;
    } else {
      present.push(compileMatcher(matcher, path));
    }
  }
  return (value) => {
    if (value === undefined) return exists === false;
    if (exists === true) return true;
    // An array field matches when any of its elements does.
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some((candidate) => present.some((test) => test(candidate)));
  };
};

const compileNode = (pattern: Record<string, unknown>, path: string): Node => {
  const checks: Node[] = [];
  for (const [key, spec] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isRecord)) {
        throw new FilterSyntaxError(`${at}: "$or" takes a list of at least two patterns`);
      }
      const branches = spec.map((branch, i) => compileNode(branch, `${at}[${i}]`));
      checks.push((data) => branches.some((branch) => branch(data)));
    } else if (Array.isArray(spec)) {
      const leaf = compileMatchers(spec, at);
      checks.push((data) => leaf(isRecord(data) ? data[key] : undefined));
    } else if (isRecord(spec)) {
      const child = compileNode(spec, at);
      checks.push((data) => isRecord(data) && child(data[key]));
    } else {
      throw new FilterSyntaxError(`${at}: a pattern field holds a list of matchers or a nested pattern`);
    }
  }
  return (data) => checks.every((check) => check(data));
};

/**
 * Compiles a mapping's filter patterns (the objects of serverless' `filterPatterns`, i.e.
 * each `FilterCriteria.Filters[].Pattern` parsed).
 *
 * @throws {FilterSyntaxError} for anything AWS would reject.
 */
export const compileFilterCriteria = (patterns: readonly unknown[]): FilterCriteria => {
  const filters = patterns.map((pattern, i): CompiledFilter => {
    const path = `filterPatterns[${i}]`;
    if (!isRecord(pattern)) throw new FilterSyntaxError(`${path}: a pattern is a JSON object`);
    const keys = Object.keys(pattern);
    if (keys.length !== 1 || keys[0] !== 'value') {
      throw new FilterSyntaxError(
        `${path}: Kafka event source mappings only support filtering on the "value" key`,
      );
    }
    const value = pattern.value;
    if (Array.isArray(value)) return { format: 'string', matches: compileMatchers(value, `${path}.value`) };
    if (isRecord(value)) return { format: 'json', matches: compileNode(value, `${path}.value`) };
    throw new FilterSyntaxError(`${path}.value: a list of matchers or a JSON field pattern`);
  });
  return { patterns, filters };
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a record value as Lambda does before filtering: UTF-8, then JSON when it parses to an object. */
export const filterableValue = (value: Buffer | null): FilterableValue => {
  if (value === null) return { kind: 'opaque' };
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { kind: 'opaque' };
  }
  try {
    const data: unknown = JSON.parse(text);
    if (isRecord(data) || Array.isArray(data)) return { kind: 'json', data };
  } catch {
    // Not JSON: a plain string.
  }
  return { kind: 'string', data: text };
};

/**
 * True when the record should be delivered. No criteria delivers everything. When the
 * value's format does not match a filter's format (JSON pattern, plain-string value, or a
 * non-UTF-8 value), AWS applies "the other metadata properties only" — for Kafka there are
 * none, so that filter matches (the table in kafka-filtering.html).
 */
export const matchesFilterCriteria = (
  criteria: FilterCriteria | undefined,
  value: Buffer | null,
): boolean => {
  if (criteria === undefined || criteria.filters.length === 0) return true;
  const parsed = filterableValue(value);
  return criteria.filters.some((filter) => {
    if (parsed.kind === 'opaque' || parsed.kind !== filter.format) return true;
    return filter.matches(parsed.data);
  });
};
