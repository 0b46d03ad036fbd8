import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from './paths.ts';

/** Where `npm run stack -- up` keeps what the other tools need to find the stack. */
export const STACK_DIR = join(REPO_ROOT, '.cache', 'stack');
/** Written by the stack daemon once everything is ready; read by the load generator, demo, ESM emulator. */
export const ENDPOINTS_FILE = join(STACK_DIR, 'endpoints.json');
export const STACK_LOG = join(STACK_DIR, 'stack.log');
/**
 * The ESM emulator's MetricsConfig metrics: one CloudWatch EMF document per mapping and
 * interval, a JSON line each (docs/esm-emulator.md, "Metrics"); the dashboard reads it.
 */
export const ESM_METRICS_FILE = join(STACK_DIR, 'esm-metrics.jsonl');

export const StackStateSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  kafkaBrokers: z.array(z.string()),
  dynamodbEndpoint: z.string(),
  /** The schema registry (emulators/schema-registry, or SCHEMA_REGISTRY_URL's); absent in older files. */
  schemaRegistryUrl: z.string().optional(),
  tables: z.object({ analytics: z.string(), userProfiles: z.string() }),
  launched: z.object({ kafka: z.boolean(), dynamodb: z.boolean(), schemaRegistry: z.boolean().optional() }),
});
export type StackState = z.infer<typeof StackStateSchema>;

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running stack's endpoints, or undefined when none runs (a stale file is removed). */
export const readStackState = (): StackState | undefined => {
  if (!existsSync(ENDPOINTS_FILE)) return undefined;
  const state = StackStateSchema.safeParse(JSON.parse(readFileSync(ENDPOINTS_FILE, 'utf8')));
  if (!state.success || !isAlive(state.data.pid)) {
    rmSync(ENDPOINTS_FILE, { force: true });
    return undefined;
  }
  return state.data;
};
