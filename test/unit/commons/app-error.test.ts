import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AggregateStoreError } from '../../../services/aggregation/errors.ts';
import { AppError, ConfigError, isRetriable } from '../../../services/commons/errors.ts';
import { SchemaRegistryError } from '../../../services/schema-registry/errors.ts';
import { REPO_ROOT } from '../../../tooling/paths.ts';

const SKIP = new Set(['node_modules', '.cache', 'test', 'dist', '.serverless', '.esbuild', '.git']);

const errorModules = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name) || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return errorModules(path);
    return name === 'errors.ts' ? [path] : [];
  });

describe('AppError, the one error root', () => {
  it('gives every error its class name, a code and a typed retriable', () => {
    const error = new AggregateStoreError('throttled', { cause: new Error('ProvisionedThroughputExceeded') });

    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe('AggregateStoreError');
    expect(error.code).toBe('AGGREGATE_STORE');
    expect(error.retriable).toBe(true);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('is not retriable unless the class or the thrower says so', () => {
    expect(new ConfigError('bad').retriable).toBe(false);
    expect(new SchemaRegistryError('down', true).retriable).toBe(true);
    expect(new SchemaRegistryError('wrong', false).retriable).toBe(false);
  });

  it('isRetriable reads the field of project errors only', () => {
    const lookalike = Object.assign(new Error('not ours'), { retriable: true });

    expect(isRetriable(new AggregateStoreError('throttled'))).toBe(true);
    expect(isRetriable(new ConfigError('bad'))).toBe(false);
    expect(isRetriable(lookalike)).toBe(false);
    expect(isRetriable('a string')).toBe(false);
  });

  it('is the root of every class an errors.ts exports', async () => {
    const strays: string[] = [];
    for (const file of errorModules(REPO_ROOT)) {
      const module: Record<string, unknown> = await import(pathToFileURL(file).href);
      for (const [name, value] of Object.entries(module)) {
        if (
          typeof value === 'function' &&
          value !== AppError &&
          value.prototype instanceof Error &&
          !(value.prototype instanceof AppError)
        )
          strays.push(`${relative(REPO_ROOT, file)}: ${name}`);
      }
    }

    expect(strays).toEqual([]);
  });
});
