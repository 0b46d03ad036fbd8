import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { StreamRecord } from '../../../services/kafka/record.ts';
import type { DataSource } from '../data-source.ts';
import { KsqlEngine } from '../engine.ts';
import { KsqlError, KsqlUnsupportedError } from '../errors.ts';
import { coerceJson, columnsSerde, Format, splitWindowedKey, windowedKeyBytes } from '../serde.ts';
import { type QttCase, type QttRecord, qttFileSchema, stripJsonComments } from './qtt-file.ts';

/** Outcome of one (expanded) test case. */
export const CaseStatus = {
  Passed: 'passed',
  Failed: 'failed',
  Unsupported: 'unsupported',
} as const;
export type CaseStatus = (typeof CaseStatus)[keyof typeof CaseStatus];

/** Result of one case; `detail` names the unsupported construct or the first mismatch. */
export interface CaseResult {
  readonly name: string;
  readonly status: CaseStatus;
  readonly detail: string | undefined;
}

/** Results of one file. */
export interface FileResult {
  readonly file: string;
  readonly cases: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Expands `format` and `config` lists into one case each, as ksqlDB's harness does. */
export function expandCase(c: QttCase): { name: string; testCase: QttCase }[] {
  const formats = c.format ?? [undefined];
  const configs = c.config ?? [undefined];
  const out: { name: string; testCase: QttCase }[] = [];
  for (const f of formats) {
    for (const cfg of configs) {
      const sub = (s: string): string => {
        let r = s;
        if (f !== undefined) r = r.replaceAll('{FORMAT}', f);
        if (cfg !== undefined) r = r.replaceAll('{CONFIG}', cfg);
        return r;
      };
      const properties =
        c.properties === undefined
          ? undefined
          : Object.fromEntries(Object.entries(c.properties).map(([k, v]) => [k, sub(String(v))]));
      const suffix = [f, cfg].filter((x) => x !== undefined).join(' - ');
      out.push({
        name: suffix === '' ? c.name : `${c.name} - ${suffix}`,
        testCase: {
          ...c,
          statements: c.statements.map(sub),
          ...(properties === undefined ? {} : { properties }),
        },
      });
    }
  }
  return out;
}

function sourceForTopic(engine: KsqlEngine, topic: string): DataSource | undefined {
  for (const s of engine.catalog.values()) if (s.topic === topic) return s;
  return undefined;
}

function serializeInput(source: DataSource, r: QttRecord): StreamRecord {
  const keySerde = columnsSerde(source.keyFormat, source.keyColumns, true);
  let key: Uint8Array | null = null;
  if (r.key !== undefined && r.key !== null && source.keyColumns.length > 0) {
    if (source.keyFormat === Format.JSON) key = encoder.encode(JSON.stringify(r.key));
    else if (source.keyFormat === Format.DELIMITED) key = encoder.encode(String(r.key));
    else {
      const only = source.keyColumns[0];
      key = only === undefined ? null : keySerde.write([coerceJson(r.key, only.type, '$')]);
    }
  }
  if (r.window !== undefined && source.window !== undefined) {
    key = windowedKeyBytes(key, source.window.kind, { start: r.window.start, end: r.window.end });
  }
  let value: Uint8Array | null = null;
  if (r.value !== undefined && r.value !== null) {
    if (source.valueFormat === Format.JSON) value = encoder.encode(JSON.stringify(r.value));
    else if (source.valueFormat === Format.DELIMITED) value = encoder.encode(String(r.value));
    else {
      const only = source.valueColumns[0];
      value =
        only === undefined
          ? null
          : columnsSerde(Format.KAFKA, source.valueColumns, false).write([
              coerceJson(r.value, only.type, '$'),
            ]);
    }
  }
  // An absent timestamp is 0; an explicit null gets the wall clock, as the test driver does.
  const timestamp = !('timestamp' in r)
    ? 0
    : r.timestamp === null || r.timestamp === undefined
      ? Date.now()
      : r.timestamp;
  return { topic: r.topic, key, value, timestamp };
}

/** ksqlDB's test comparator: numbers by value, objects field by field (upper-case fallback). */
export function matchesExpected(actual: unknown, expected: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (typeof expected === 'number') return typeof actual === 'number' && actual === expected;
  if (typeof expected === 'string') return typeof actual === 'string' && actual === expected;
  if (typeof expected === 'boolean') return actual === expected;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matchesExpected(actual[i], e))
    );
  }
  if (typeof expected === 'object') {
    let entries: Map<string, unknown>;
    if (actual instanceof Map) entries = new Map([...actual].map(([k, v]) => [String(k), v]));
    else if (actual !== null && typeof actual === 'object' && !Array.isArray(actual))
      entries = new Map(Object.entries(actual));
    else return false;
    const exp = Object.entries(expected as Record<string, unknown>);
    if (entries.size !== exp.length) return false;
    return exp.every(([k, v]) =>
      matchesExpected(entries.has(k) ? entries.get(k) : (entries.get(k.toUpperCase()) ?? null), v),
    );
  }
  return false;
}

function decodeKey(
  sink: DataSource,
  key: Uint8Array | null,
): { key: unknown; window: { start: number; end: number } | undefined } {
  let inner = key;
  let window: { start: number; end: number } | undefined;
  if (sink.window !== undefined && key !== null) {
    const split = splitWindowedKey(key, sink.window.kind, sink.window.size);
    inner = split.inner;
    window = split.window;
  }
  if (inner === null || sink.keyColumns.length === 0) return { key: null, window };
  if (sink.keyFormat === Format.DELIMITED) return { key: decoder.decode(inner), window };
  const values = columnsSerde(sink.keyFormat, sink.keyColumns, true).read(inner) ?? [];
  if (sink.keyColumns.length === 1) return { key: values[0] ?? null, window };
  return { key: Object.fromEntries(sink.keyColumns.map((c, i) => [c.name, values[i] ?? null])), window };
}

function decodeValue(sink: DataSource, value: Uint8Array | null): unknown {
  if (value === null) return null;
  if (sink.valueFormat === Format.DELIMITED) return decoder.decode(value);
  const values = columnsSerde(sink.valueFormat, sink.valueColumns, false).read(value);
  if (values === null) return null;
  if (sink.valueFormat === Format.KAFKA) return values[0] ?? null;
  return Object.fromEntries(sink.valueColumns.map((c, i) => [c.name, values[i] ?? null]));
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Map ? Object.fromEntries(x) : x));
}

/** Runs one expanded case against a fresh engine. */
export function runCase(name: string, c: QttCase): CaseResult {
  const unsupported = (detail: string): CaseResult => ({ name, status: CaseStatus.Unsupported, detail });
  const failed = (detail: string): CaseResult => ({ name, status: CaseStatus.Failed, detail });
  if (c.enabled === false) return unsupported('case disabled in ksqlDB');
  if (c.versions?.max !== undefined)
    return unsupported(`case limited to ksqlDB versions <= ${c.versions.max}`);
  const expected = c.expectedException;
  let engine: KsqlEngine;
  try {
    const props = Object.fromEntries(Object.entries(c.properties ?? {}).map(([k, v]) => [k, String(v)]));
    engine = new KsqlEngine({ properties: props });
    // ksqlDB's harness submits the statements as one text, so parse errors name the line in it.
    engine.executeScript(c.statements.join('\n'));
  } catch (err) {
    if (!(err instanceof KsqlError)) throw err;
    if (expected?.message !== undefined && err.message.includes(expected.message)) {
      return { name, status: CaseStatus.Passed, detail: undefined };
    }
    if (err instanceof KsqlUnsupportedError) return unsupported(err.construct);
    // A case naming no message expects the statements to be rejected, whatever the words.
    if (expected !== undefined && expected.message === undefined) {
      return { name, status: CaseStatus.Passed, detail: undefined };
    }
    if (expected !== undefined) {
      return failed(
        `rejected with a different message: expected "${expected.message ?? ''}", got "${err.message}"`,
      );
    }
    return failed(`statement rejected: ${err.message}`);
  }
  if (expected !== undefined) {
    if ((expected.type ?? '').includes('StreamsException'))
      return unsupported('runtime exceptions of Kafka Streams');
    return failed(`statements accepted but ksqlDB rejects them: ${expected.message ?? expected.type ?? ''}`);
  }
  const produced: StreamRecord[] = [];
  try {
    for (const input of c.inputs ?? []) {
      const source = sourceForTopic(engine, input.topic);
      if (source === undefined) continue;
      produced.push(...engine.process(serializeInput(source, input)));
    }
  } catch (err) {
    if (err instanceof KsqlUnsupportedError) return unsupported(err.construct);
    return failed(`processing threw: ${(err as Error).message}`);
  }
  const expectedOutputs = c.outputs ?? [];
  const topics = [...new Set(expectedOutputs.map((o) => o.topic))];
  for (const topic of topics) {
    const exp = expectedOutputs.filter((o) => o.topic === topic);
    const act = produced.filter((p) => p.topic === topic);
    const sink = sourceForTopic(engine, topic);
    if (sink === undefined) return failed(`no source writes topic ${topic}`);
    const actual = act.map((a) => ({
      ...decodeKey(sink, a.key),
      value: decodeValue(sink, a.value),
      timestamp: a.timestamp,
    }));
    if (actual.length !== exp.length) {
      return failed(`topic ${topic}: expected ${exp.length} records, got ${actual.length}: ${show(actual)}`);
    }
    for (let i = 0; i < exp.length; i++) {
      const e = exp[i] as QttRecord;
      const a = actual[i] as (typeof actual)[number];
      const windowOk =
        e.window === undefined
          ? a.window === undefined
          : a.window !== undefined && a.window.start === e.window.start && a.window.end === e.window.end;
      const ok =
        windowOk &&
        matchesExpected(a.key, e.key ?? null) &&
        matchesExpected(a.value, e.value ?? null) &&
        (e.timestamp === undefined || e.timestamp === null || e.timestamp === a.timestamp);
      if (!ok) {
        return failed(`topic ${topic}, record ${i}: expected ${show(e)} but was ${show(a)}`);
      }
    }
  }
  return { name, status: CaseStatus.Passed, detail: undefined };
}

/** Runs every case of one qtt file. */
export async function runFile(path: string): Promise<FileResult> {
  const parsed = qttFileSchema.parse(JSON.parse(stripJsonComments(await readFile(path, 'utf8'))) as unknown);
  const cases: CaseResult[] = [];
  for (const c of parsed.tests) {
    for (const { name, testCase } of expandCase(c)) cases.push(runCase(name, testCase));
  }
  const count = (s: CaseStatus): number => cases.filter((r) => r.status === s).length;
  return {
    file: basename(path),
    cases,
    passed: count(CaseStatus.Passed),
    failed: count(CaseStatus.Failed),
    unsupported: count(CaseStatus.Unsupported),
  };
}

/** Lists the `.json` files of a directory (recursively) or returns the given files. */
export async function collectFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      const nested = entries
        .filter((e) => e.isDirectory() || e.name.endsWith('.json'))
        .map((e) => join(p, e.name))
        .sort();
      out.push(...(await collectFiles(nested)));
    } else out.push(p);
  }
  return out;
}
