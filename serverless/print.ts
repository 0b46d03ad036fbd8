/**
 * `serverless print`: serverless.yml as the framework resolves it (variables, params, stage),
 * and the part of it the bundler and the ESM emulator read. The emulator's own reading of the
 * event source mappings (validated as CreateEventSourceMapping would) is
 * emulators/esm/serverless-config.ts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ServerlessConfigError } from './errors.ts';

export const FunctionSchema = z.looseObject({
  handler: z.string(),
  runtime: z.string().optional(),
  name: z.string().optional(),
  timeout: z.number().optional(),
  memorySize: z.number().optional(),
  reservedConcurrency: z.number().optional(),
  environment: z.record(z.string(), z.unknown()).optional(),
  events: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The part of `serverless print --format json` the emulator reads. */
export const ServerlessConfigSchema = z.looseObject({
  service: z.union([z.string(), z.looseObject({ name: z.string() })]),
  provider: z.looseObject({
    stage: z.string().optional(),
    region: z.string().optional(),
    runtime: z.string().optional(),
    timeout: z.number().optional(),
    memorySize: z.number().optional(),
    environment: z.record(z.string(), z.unknown()).optional(),
  }),
  functions: z.record(z.string(), FunctionSchema).optional(),
  custom: z.looseObject({ esm: z.record(z.string(), z.unknown()).optional() }).optional(),
});
export type ServerlessConfig = z.infer<typeof ServerlessConfigSchema>;

const run = promisify(execFile);

/**
 * Runs `serverless print --format json` in `serviceDir` (offline; a few seconds) and
 * returns the resolved configuration.
 *
 * @throws {ServerlessConfigError} with serverless' own message when it fails.
 */
export const loadServerlessConfig = async (
  options: { serviceDir?: string; stage?: string; region?: string } = {},
): Promise<unknown> => {
  const args = ['sls', 'print', '--format', 'json'];
  if (options.stage !== undefined) args.push('--stage', options.stage);
  if (options.region !== undefined) args.push('--region', options.region);
  try {
    const { stdout } = await run('npx', args, {
      cwd: options.serviceDir ?? process.cwd(),
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    });
    const config: unknown = JSON.parse(stdout);
    return config;
  } catch (error) {
    // serverless prints its error on stdout and its environment banner on stderr.
    const streamOf = (name: 'stdout' | 'stderr'): string =>
      typeof error === 'object' && error !== null && name in error
        ? String(error[name as keyof typeof error])
        : '';
    const output = [streamOf('stdout'), streamOf('stderr')].join('\n').trim();
    throw new ServerlessConfigError(`serverless print failed${output ? `:\n${output}` : ''}`, {
      cause: error,
    });
  }
};
