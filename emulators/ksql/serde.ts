import { KsqlSerdeError, KsqlStatementError, KsqlUnsupportedError } from './errors.ts';
import { formatJavaDouble } from './java-format.ts';
import { formatType, type SqlType } from './types.ts';

/** Serialisation formats the engine reads and writes. */
export const Format = {
  JSON: 'JSON',
  DELIMITED: 'DELIMITED',
  KAFKA: 'KAFKA',
  NONE: 'NONE',
} as const;
export type Format = (typeof Format)[keyof typeof Format];

const KNOWN_UNSUPPORTED = new Set(['AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']);

/** Validates a format name from a WITH clause. */
export function parseFormat(name: string): Format {
  const upper = name.toUpperCase();
  if (upper in Format) return upper as Format;
  if (KNOWN_UNSUPPORTED.has(upper)) throw new KsqlUnsupportedError(`${upper} format`);
  throw new KsqlStatementError(`Unknown format: ${upper}`);
}

/** A named, typed column as serialised. */
export interface SerdeColumn {
  readonly name: string;
  readonly type: SqlType;
}

/** Window of a windowed key. */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/** Kind of window a key carries. */
export type WindowKind = 'TUMBLING' | 'HOPPING' | 'SESSION';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Checks that a key schema can be written with a key format, with ksqlDB's wording. */
export function validateKeyFormat(format: Format, columns: readonly SerdeColumn[]): void {
  if (format === Format.NONE) {
    if (columns.length > 0)
      throw new KsqlStatementError(
        `The 'NONE' format can only be used when no columns are defined. Got: [${columns.map((c) => `\`${c.name}\` ${formatType(c.type)} KEY`).join(', ')}]`,
      );
    return;
  }
  if (format === Format.KAFKA) {
    if (columns.length > 1) {
      throw new KsqlStatementError(
        `Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[${columns
          .map((c) => `\`${c.name}\` ${formatType(c.type)} KEY`)
          .join(
            ', ',
          )}], features=[]}\nreason: The 'KAFKA' format only supports a single field. Got: [${columns
          .map((c) => `\`${c.name}\` ${formatType(c.type)} KEY`)
          .join(', ')}]`,
      );
    }
    for (const c of columns) validateKafkaType(c, true);
  }
  if (format === Format.DELIMITED) {
    for (const c of columns) {
      if (c.type.kind === 'STRUCT' || c.type.kind === 'ARRAY' || c.type.kind === 'MAP') {
        throw new KsqlStatementError(
          `The 'DELIMITED' format does not support type '${c.type.kind}', column: \`${c.name}\``,
        );
      }
    }
  }
}

function validateKafkaType(c: SerdeColumn, key: boolean): void {
  const k = c.type.kind;
  if (k === 'INTEGER' || k === 'BIGINT' || k === 'DOUBLE' || k === 'STRING') return;
  const reason = `The 'KAFKA' format does not support type '${k === 'UNSUPPORTED' ? formatType(c.type).replace(/\(.*$/, '') : k}'`;
  if (key) {
    throw new KsqlStatementError(
      `Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[\`${c.name}\` ${formatType(c.type)} KEY], features=[]}\nreason: ${reason}`,
    );
  }
  throw new KsqlStatementError(reason);
}

/** Checks that a value schema can be written with a value format. */
export function validateValueFormat(format: Format, columns: readonly SerdeColumn[]): void {
  // NoneFormat.validate: no columns at all.
  if (format === Format.NONE && columns.length > 0) {
    throw new KsqlStatementError(
      `The 'NONE' format can only be used when no columns are defined. Got: [${columns.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', ')}]`,
    );
  }
  if (format === Format.KAFKA) {
    if (columns.length > 1) {
      throw new KsqlStatementError(
        `The 'KAFKA' format only supports a single field. Got: [${columns.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', ')}]`,
      );
    }
    for (const c of columns) validateKafkaType(c, false);
  }
  if (format === Format.DELIMITED) {
    for (const c of columns) {
      if (c.type.kind === 'STRUCT' || c.type.kind === 'ARRAY' || c.type.kind === 'MAP') {
        throw new KsqlStatementError(
          `The 'DELIMITED' format does not support type '${c.type.kind}', column: \`${c.name}\``,
        );
      }
    }
  }
  if (format === Format.JSON) {
    for (const c of columns) checkJsonMaps(c.type);
  }
}

function checkJsonMaps(t: SqlType): void {
  if (t.kind === 'MAP') {
    if (t.key.kind !== 'STRING')
      throw new KsqlStatementError('JSON only supports MAP types with STRING keys');
    checkJsonMaps(t.value);
  } else if (t.kind === 'ARRAY') checkJsonMaps(t.item);
  else if (t.kind === 'STRUCT') for (const f of t.fields) checkJsonMaps(f.type);
}

// ---- JSON ----

/** Converts a decoded JSON node to a ksqlDB value of `type` (ksqlDB's JSON coercions). */
export function coerceJson(node: unknown, type: SqlType, path: string): unknown {
  if (node === null || node === undefined) return null;
  switch (type.kind) {
    case 'BOOLEAN':
      if (typeof node === 'boolean') return node;
      if (typeof node === 'string' && /^(true|false)$/i.test(node)) return node.toLowerCase() === 'true';
      break;
    case 'INTEGER':
    case 'BIGINT': {
      let n: number | undefined;
      if (typeof node === 'number') n = Math.trunc(node);
      else if (typeof node === 'string' && /^\s*[-+]?[0-9]+\s*$/.test(node)) n = Number(node);
      if (n !== undefined) {
        if (type.kind === 'INTEGER' && (n > 2147483647 || n < -2147483648)) break;
        return n;
      }
      break;
    }
    case 'DOUBLE':
      if (typeof node === 'number') return node;
      if (typeof node === 'string' && node.trim() !== '' && !Number.isNaN(Number(node))) return Number(node);
      break;
    case 'STRING':
      if (typeof node === 'string') return node;
      if (typeof node === 'number' || typeof node === 'boolean') return String(node);
      return JSON.stringify(node);
    case 'ARRAY':
      if (Array.isArray(node)) return node.map((x, i) => coerceJson(x, type.item, `${path}[${i}]`));
      break;
    case 'MAP':
      if (typeof node === 'object' && !Array.isArray(node)) {
        const m = new Map<unknown, unknown>();
        for (const [k, v] of Object.entries(node as Record<string, unknown>))
          m.set(k, coerceJson(v, type.value, `${path}.${k}`));
        return m;
      }
      break;
    case 'STRUCT':
      if (typeof node === 'object' && !Array.isArray(node))
        return coerceStruct(node as Record<string, unknown>, type.fields, path);
      break;
    case 'UNSUPPORTED':
      break;
  }
  throw new KsqlSerdeError(
    `Can't convert type. sourceType: ${jsonNodeType(node)}, requiredType: ${formatType(type)}, path: ${path}`,
  );
}

function jsonNodeType(node: unknown): string {
  if (Array.isArray(node)) return 'ArrayNode';
  if (typeof node === 'string') return 'TextNode';
  if (typeof node === 'number') return Number.isInteger(node) ? 'IntNode' : 'DoubleNode';
  if (typeof node === 'boolean') return 'BooleanNode';
  return 'ObjectNode';
}

/** Per field list: JSON member name -> field position (-1: not a field), learnt as names are seen. */
const memberIndexCache = new WeakMap<readonly SerdeColumn[], Map<string, number>>();

function coerceStruct(
  obj: Record<string, unknown>,
  fields: readonly SerdeColumn[],
  path: string,
): Record<string, unknown> {
  // ksqlDB matches JSON field names case-insensitively; an exact match wins over a case-folded one.
  let index = memberIndexCache.get(fields);
  if (index === undefined) {
    index = new Map();
    memberIndexCache.set(fields, index);
  }
  const raw: unknown[] = new Array(fields.length);
  const exact: boolean[] = new Array(fields.length).fill(false);
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    let i = index.get(k);
    if (i === undefined) {
      i = fields.findIndex((f) => f.name === k);
      if (i === -1) i = fields.findIndex((f) => f.name.toUpperCase() === k.toUpperCase());
      if (index.size < 10_000) index.set(k, i);
    }
    if (i < 0) continue;
    const isExact = (fields[i] as SerdeColumn).name === k;
    if (raw[i] === undefined || (isExact && !exact[i])) {
      raw[i] = obj[k];
      exact[i] = isExact;
    }
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as SerdeColumn;
    out[f.name] = coerceJson(raw[i], f.type, `${path}.${f.name}`);
  }
  return out;
}

/** Writes a ksqlDB value as JSON text, doubles in JVM spelling. */
export function writeJson(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'DOUBLE':
      return Number.isFinite(v as number)
        ? formatJavaDouble(v as number)
        : JSON.stringify(formatJavaDouble(v as number));
    case 'ARRAY':
      return `[${(v as unknown[]).map((x) => writeJson(x, type.item)).join(',')}]`;
    case 'MAP': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>)
        parts.push(`${JSON.stringify(String(k))}:${writeJson(x, type.value)}`);
      return `{${parts.join(',')}}`;
    }
    case 'STRUCT':
      return `{${type.fields.map((f) => `${JSON.stringify(f.name)}:${writeJson((v as Record<string, unknown>)[f.name], f.type)}`).join(',')}}`;
    default:
      return JSON.stringify(v);
  }
}

function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (cause) {
    throw new KsqlSerdeError('Failed to deserialize JSON: invalid UTF-8', { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new KsqlSerdeError(`Failed to deserialize JSON: ${(cause as Error).message}`, { cause });
  }
}

// ---- DELIMITED ----

function splitDelimited(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"' && cur === '') {
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      out.push(wasQuoted ? `\u0000${cur}` : cur);
      cur = '';
      wasQuoted = false;
    } else cur += c;
  }
  out.push(wasQuoted ? `\u0000${cur}` : cur);
  return out;
}

function parseDelimitedField(raw: string, type: SqlType, column: string): unknown {
  const quoted = raw.startsWith('\u0000');
  const s = quoted ? raw.slice(1) : raw;
  if (!quoted && s === '') return null;
  switch (type.kind) {
    case 'STRING':
      return s;
    case 'INTEGER':
    case 'BIGINT':
      if (/^\s*[-+]?[0-9]+\s*$/.test(s)) {
        const n = Number(s);
        if (type.kind === 'INTEGER' && (n > 2147483647 || n < -2147483648)) break;
        return n;
      }
      break;
    case 'DOUBLE':
      if (s.trim() !== '' && !Number.isNaN(Number(s))) return Number(s);
      break;
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
      break;
    default:
      break;
  }
  throw new KsqlSerdeError(
    `Failed to deserialize delimited field ${column}: '${s}' is not a valid ${formatType(type)}`,
  );
}

/** Quotes like commons-csv's MINIMAL mode, which ksqlDB's DELIMITED writer uses. */
function writeDelimitedField(v: unknown, type: SqlType, first: boolean): string {
  if (v === null || v === undefined) return '';
  const s = type.kind === 'DOUBLE' ? formatJavaDouble(v as number) : String(v);
  const quote = (): string => `"${s.replaceAll('"', '""')}"`;
  if (s.length === 0) return first ? '""' : '';
  const c = s[0] as string;
  if (first && !/[0-9A-Za-z]/.test(c)) return quote();
  if (c <= '#' || /[",\n\r]/.test(s) || (s[s.length - 1] as string) <= ' ') return quote();
  return s;
}

// ---- KAFKA ----

function writeKafka(v: unknown, type: SqlType): Uint8Array {
  switch (type.kind) {
    case 'INTEGER': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v as number);
      return b;
    }
    case 'BIGINT': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(v as number));
      return b;
    }
    case 'DOUBLE': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v as number);
      return b;
    }
    case 'STRING':
      return encoder.encode(v as string);
    default:
      throw new KsqlSerdeError(`The 'KAFKA' format does not support type '${formatType(type)}'`);
  }
}

function readKafka(bytes: Uint8Array, type: SqlType): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expectSize = (n: number): void => {
    if (bytes.byteLength !== n) {
      throw new KsqlSerdeError(
        `Size of data received by ${type.kind} deserializer is not ${n} (got ${bytes.byteLength})`,
      );
    }
  };
  switch (type.kind) {
    case 'INTEGER':
      expectSize(4);
      return view.getInt32(0);
    case 'BIGINT':
      expectSize(8);
      return Number(view.getBigInt64(0));
    case 'DOUBLE':
      expectSize(8);
      return view.getFloat64(0);
    case 'STRING':
      try {
        return decoder.decode(bytes);
      } catch (cause) {
        throw new KsqlSerdeError('Invalid UTF-8 in KAFKA STRING', { cause });
      }
    default:
      throw new KsqlSerdeError(`The 'KAFKA' format does not support type '${formatType(type)}'`);
  }
}

/** Reads and writes the columns of a record value (or of an unwindowed key) in one format. */
export interface ColumnsSerde {
  /** Decodes bytes to values in column order; null bytes give null. */
  read(bytes: Uint8Array | null): unknown[] | null;
  /** Encodes values in column order; null gives null (a tombstone). */
  write(values: readonly unknown[] | null): Uint8Array | null;
}

/**
 * Builds the serde of a list of columns. `unwrapSingle` is how ksqlDB treats keys: a single key
 * column is written as the bare value, not as an object.
 */
export function columnsSerde(
  format: Format,
  columns: readonly SerdeColumn[],
  unwrapSingle: boolean,
): ColumnsSerde {
  switch (format) {
    case Format.NONE:
      return { read: () => [], write: () => null };
    case Format.KAFKA: {
      const only = columns[0];
      if (only === undefined) return { read: () => [], write: () => null };
      return {
        read: (bytes) => (bytes === null ? null : [readKafka(bytes, only.type)]),
        write: (values) => {
          if (values === null) return null;
          const v = values[0];
          return v === null || v === undefined ? null : writeKafka(v, only.type);
        },
      };
    }
    case Format.DELIMITED:
      return {
        read: (bytes) => {
          if (bytes === null) return null;
          let text: string;
          try {
            text = decoder.decode(bytes);
          } catch (cause) {
            throw new KsqlSerdeError('Invalid UTF-8 in DELIMITED value', { cause });
          }
          const fields = columns.length === 0 && text === '' ? [] : splitDelimited(text);
          if (fields.length !== columns.length) {
            throw new KsqlSerdeError(
              `Column count mismatch on deserialization. topic: expected: ${columns.length}, got: ${fields.length}`,
            );
          }
          return columns.map((c, i) => parseDelimitedField(fields[i] as string, c.type, c.name));
        },
        write: (values) => {
          if (values === null) return null;
          if (unwrapSingle && columns.length === 1 && (values[0] === null || values[0] === undefined))
            return null;
          return encoder.encode(
            columns.map((c, i) => writeDelimitedField(values[i], c.type, i === 0)).join(','),
          );
        },
      };
    case Format.JSON: {
      const single = unwrapSingle && columns.length === 1 ? columns[0] : undefined;
      if (single !== undefined) {
        return {
          read: (bytes) => (bytes === null ? null : [coerceJson(parseJsonBytes(bytes), single.type, '$')]),
          write: (values) => (values === null ? null : encoder.encode(writeJson(values[0], single.type))),
        };
      }
      return {
        read: (bytes) => {
          if (bytes === null) return null;
          const node = parseJsonBytes(bytes);
          if (node === null) return null;
          if (typeof node !== 'object' || Array.isArray(node)) {
            throw new KsqlSerdeError(
              `Can't convert type. sourceType: ${jsonNodeType(node)}, requiredType: STRUCT, path: $`,
            );
          }
          const struct = coerceStruct(node as Record<string, unknown>, columns, '$');
          return columns.map((c) => struct[c.name] ?? null);
        },
        write: (values) => {
          if (values === null) return null;
          return encoder.encode(
            `{${columns.map((c, i) => `${JSON.stringify(c.name)}:${writeJson(values[i], c.type)}`).join(',')}}`,
          );
        },
      };
    }
  }
}

/** Appends ksqlDB's window suffix to serialised key bytes (time: start; session: end then start). */
export function windowedKeyBytes(
  inner: Uint8Array | null,
  kind: WindowKind,
  window: WindowBounds,
): Uint8Array {
  const base = inner ?? new Uint8Array(0);
  const suffix = kind === 'SESSION' ? 16 : 8;
  const out = new Uint8Array(base.byteLength + suffix);
  out.set(base, 0);
  const view = new DataView(out.buffer);
  if (kind === 'SESSION') {
    view.setBigInt64(base.byteLength, BigInt(window.end));
    view.setBigInt64(base.byteLength + 8, BigInt(window.start));
  } else {
    view.setBigInt64(base.byteLength, BigInt(window.start));
  }
  return out;
}

/** Splits windowed key bytes into the inner key and the window (time windows need the size). */
export function splitWindowedKey(
  bytes: Uint8Array,
  kind: WindowKind,
  windowSize: number | undefined,
): { inner: Uint8Array; window: WindowBounds } {
  const suffix = kind === 'SESSION' ? 16 : 8;
  if (bytes.byteLength < suffix)
    throw new KsqlSerdeError(`Windowed key too short: ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = bytes.byteLength - suffix;
  const inner = bytes.subarray(0, at);
  if (kind === 'SESSION') {
    const end = Number(view.getBigInt64(at));
    const start = Number(view.getBigInt64(at + 8));
    return { inner, window: { start, end } };
  }
  const start = Number(view.getBigInt64(at));
  return { inner, window: { start, end: start + (windowSize ?? 0) } };
}
