/**
 * Bundles every function of serverless.yml into `dist/<handler dir>/handler.mjs` exactly as
 * serverless-esbuild packages it for deployment: its defaults, overlaid with
 * `custom.esbuild`, the target taken from `provider.runtime`, one bundle per handler file.
 * The ESM emulator (emulators/esm/) runs these bundles, so a laptop runs what AWS runs.
 *
 * Usage: `npm run build [-- --stage dev] [--out dist]`; `--help` for more.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { z } from 'zod';
import { parseCliArgs } from '../tooling/cli-args.ts';
import { BundleError } from './errors.ts';
import { loadServerlessConfig, ServerlessConfigSchema } from './print.ts';

/** serverless-esbuild's own options, which it strips before calling esbuild (src/bundle.ts). */
const PLUGIN_ONLY_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
  'plugins',
] as const;

const EsbuildCustomSchema = z.looseObject({
  exclude: z.array(z.string()).optional(),
  external: z.array(z.string()).optional(),
  outputFileExtension: z.enum(['.js', '.cjs', '.mjs']).optional(),
  config: z.string().optional(),
  plugins: z.string().optional(),
});

/** The esbuild options serverless-esbuild would use, plus the output file extension. */
export interface DeployBuildOptions {
  readonly esbuild: BuildOptions;
  readonly outputFileExtension: '.js' | '.cjs' | '.mjs';
}

/**
 * Derives the esbuild options from a resolved serverless configuration the way
 * serverless-esbuild's `getBuildOptions` does: defaults (bundle, node platform, `.js`,
 * `exclude: ['aws-sdk']`), the runtime's target (`nodejs20.x` → `node20`), then
 * `custom.esbuild` on top; `exclude` becomes `external` unless it is `*`.
 */
export const deployBuildOptions = (rawConfig: unknown): DeployBuildOptions => {
  const config = ServerlessConfigSchema.parse(rawConfig);
  const custom = EsbuildCustomSchema.parse(config.custom?.esbuild ?? {});
  if (custom.config !== undefined || custom.plugins !== undefined) {
    throw new BundleError('custom.esbuild.config / plugins files are not supported by serverless/bundle.ts');
  }
  const runtime = /^nodejs(\d+)\.x$/.exec(config.provider.runtime ?? '');
  const passthrough: Record<string, unknown> = { ...custom };
  for (const option of PLUGIN_ONLY_OPTIONS) delete passthrough[option];
  const exclude = custom.exclude ?? ['aws-sdk'];
  const outputFileExtension = custom.outputFileExtension ?? '.js';
  const esbuild: BuildOptions = {
    bundle: true,
    platform: 'node',
    ...(runtime?.[1] === undefined ? {} : { target: `node${runtime[1]}` }),
    ...passthrough,
    external: [...(custom.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    ...(outputFileExtension === '.js' ? {} : { outExtension: { '.js': outputFileExtension } }),
  };
  const isEsm = esbuild.format === 'esm' || esbuild.platform === 'neutral';
  if (isEsm && outputFileExtension === '.cjs') throw new BundleError('format esm cannot output ".cjs"');
  if (!isEsm && outputFileExtension === '.mjs') throw new BundleError('only format esm can output ".mjs"');
  return { esbuild, outputFileExtension };
};

const ENTRY_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs', '.tsx', '.jsx'];

/** The source file of a handler module path (`functions/x/handler` → `functions/x/handler.ts`). */
export const resolveEntry = (serviceDir: string, handlerModule: string): string => {
  for (const extension of ENTRY_EXTENSIONS) {
    const candidate = resolve(serviceDir, `${handlerModule}${extension}`);
    if (existsSync(candidate)) return candidate;
  }
  throw new BundleError(`no source file for handler module "${handlerModule}" in ${serviceDir}`);
};

/** One bundled handler. */
export interface BundledHandler {
  /** The handler module path, relative to the service root. */
  readonly handlerModule: string;
  /** Absolute path of the bundle. */
  readonly outFile: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * Bundles handler modules (paths relative to `serviceDir`, without extension) into
 * `outDir/<module dir>/`, one esbuild run per module, as serverless-esbuild does.
 */
export const bundleHandlers = async (options: {
  serviceDir: string;
  outDir: string;
  handlerModules: readonly string[];
  build: DeployBuildOptions;
  onBundled?: (bundle: BundledHandler) => void;
}): Promise<BundledHandler[]> => {
  const unique = [...new Set(options.handlerModules)];
  return Promise.all(
    unique.map(async (handlerModule) => {
      const started = performance.now();
      const entry = resolveEntry(options.serviceDir, handlerModule);
      const outdir = join(options.outDir, dirname(handlerModule));
      try {
        await build({
          ...options.build.esbuild,
          entryPoints: [entry],
          outdir,
          absWorkingDir: options.serviceDir,
          logLevel: 'error',
        });
      } catch (error) {
        throw new BundleError(`esbuild failed for ${handlerModule}`, { cause: error });
      }
      const base = handlerModule.slice(handlerModule.lastIndexOf('/') + 1);
      const outFile = join(outdir, `${base}${options.build.outputFileExtension}`);
      const bundled: BundledHandler = {
        handlerModule,
        outFile,
        bytes: statSync(outFile).size,
        durationMs: performance.now() - started,
      };
      options.onBundled?.(bundled);
      return bundled;
    }),
  );
};

/** Handler module paths of every function in a resolved serverless configuration. */
export const handlerModulesOf = (rawConfig: unknown): string[] => {
  const config = ServerlessConfigSchema.parse(rawConfig);
  return Object.values(config.functions ?? {}).map((fn) => fn.handler.slice(0, fn.handler.lastIndexOf('.')));
};

/** Bundles every function of the service into `outDir` (default `dist`). */
export const bundleFunctions = (options: {
  config: unknown;
  serviceDir: string;
  outDir?: string;
  onBundled?: (bundle: BundledHandler) => void;
}): Promise<BundledHandler[]> =>
  bundleHandlers({
    serviceDir: options.serviceDir,
    outDir: options.outDir ?? join(options.serviceDir, 'dist'),
    handlerModules: handlerModulesOf(options.config),
    build: deployBuildOptions(options.config),
    ...(options.onBundled === undefined ? {} : { onBundled: options.onBundled }),
  });

const HELP = `Usage: npm run build -- [options]

Bundles every function of serverless.yml into dist/<handler dir>/handler.mjs with the
options serverless-esbuild deploys with (custom.esbuild, target from provider.runtime).

Options:
  --stage <stage>   serverless stage to resolve (default: the file's default)
  --out <dir>       output directory (default: dist)
  -h, --help        show this help
`;

const main = async (): Promise<void> => {
  const parsed = parseCliArgs(process.argv.slice(2), {
    options: {
      stage: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({ stage: values.stage, out: values.out }),
    schema: z.object({ stage: z.string().optional(), out: z.string().default('dist') }),
  });
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const values = parsed.options;
  const serviceDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const started = performance.now();
  process.stdout.write('resolving serverless.yml (serverless print)…\n');
  const config = await loadServerlessConfig({
    serviceDir,
    ...(values.stage === undefined ? {} : { stage: values.stage }),
  });
  const bundles = await bundleFunctions({
    config,
    serviceDir,
    outDir: resolve(serviceDir, values.out),
    onBundled: (bundle) =>
      process.stdout.write(
        `  ${relative(serviceDir, bundle.outFile)}  ${(bundle.bytes / 1024).toFixed(0)} KiB  ${bundle.durationMs.toFixed(0)} ms\n`,
      ),
  });
  process.stdout.write(
    `bundled ${bundles.length} function(s) in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.cause instanceof Error)
      process.stderr.write(`  cause: ${error.cause.message}\n`);
    process.exitCode = 1;
  });
}
