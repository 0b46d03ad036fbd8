import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { ensurePythonTool } from '../../../tooling/python-venv.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const run = promisify(execFile);

/** Handler files serverless.yml bundles; packaging cannot run while one is missing. */
export const HANDLER_FILES = [
  'functions/aggregate-events/handler.ts',
  'functions/enrich-sessions/handler.ts',
];

export const missingHandlers = (): string[] => HANDLER_FILES.filter((file) => !existsSync(join(ROOT, file)));

/** A password that must never reach a template: it is in the packaging process' environment. */
export const SENTINEL_SECRET = 'sentinel-password-never-in-template';

/**
 * The environment of an offline `sls package`: dummy AWS credentials (the framework reads
 * some before packaging), and every HTTP(S) request sent to a closed port, so that a
 * framework or plugin that reached for the network would fail the packaging.
 */
const offlineEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
    AWS_SECRET_ACCESS_KEY: 'offline-packaging',
    AWS_EC2_METADATA_DISABLED: 'true',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    KAFKA_SASL_PASSWORD: SENTINEL_SECRET,
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
};

/** Runs the project's serverless (osls) offline; resolves with its output, rejects with it. */
export const serverless = async (args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
  run(join(ROOT, 'node_modules', '.bin', 'sls'), [...args], {
    cwd: ROOT,
    env: offlineEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });

const Resource = z.looseObject({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).optional(),
});
export const TemplateSchema = z.looseObject({
  Resources: z.record(z.string(), Resource),
  Outputs: z.record(z.string(), z.looseObject({ Value: z.unknown() })).optional(),
  Parameters: z.record(z.string(), z.looseObject({ Default: z.unknown().optional() })).optional(),
});
export type Template = z.infer<typeof TemplateSchema>;

/** What one `sls package` produced. */
export interface PackagedStage {
  readonly dir: string;
  readonly templateFile: string;
  readonly template: Template;
}

/** Packages the service for a stage into a fresh temporary directory. */
export const packageStage = async (stage: string, params: Record<string, string>): Promise<PackagedStage> => {
  const dir = mkdtempSync(join(tmpdir(), `clickstream-package-${stage}-`));
  const args = ['package', '--stage', stage, '--region', 'eu-west-1', '--package', dir];
  for (const [name, value] of Object.entries(params)) args.push('--param', `${name}=${value}`);
  await serverless(args);
  const templateFile = join(dir, 'cloudformation-template-update-stack.json');
  const template = TemplateSchema.parse(JSON.parse(readFileSync(templateFile, 'utf8')));
  return { dir, templateFile, template };
};

/** The resources of a type, by logical id. */
export const resourcesOf = (template: Template, type: string): [string, Record<string, unknown>][] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);

const Statement = z.looseObject({
  Effect: z.string(),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
});
export type PolicyStatement = z.infer<typeof Statement>;
const PolicyDocument = z.looseObject({ Statement: z.array(Statement) });

/** Every IAM statement of the template: the role's inline policies and AWS::IAM::Policy resources. */
export const policyStatements = (template: Template): PolicyStatement[] => {
  const statements: PolicyStatement[] = [];
  for (const resource of Object.values(template.Resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      const policies = z.array(z.looseObject({ PolicyDocument })).optional().parse(properties.Policies);
      for (const policy of policies ?? []) statements.push(...policy.PolicyDocument.Statement);
    } else if (resource.Type === 'AWS::IAM::Policy') {
      statements.push(...PolicyDocument.parse(properties.PolicyDocument).Statement);
    }
  }
  return statements;
};

/** cfn-lint, pinned, from the project's venv (.cache/venv; the integration setup installs it). */
export const CFN_LINT = { package: 'cfn-lint', version: '1.58.0', bin: 'cfn-lint' } as const;

/** Runs the venv's cfn-lint on the templates; its exit code and output. */
export const cfnLint = async (
  templateFiles: readonly string[],
): Promise<{ code: number; output: string }> => {
  const cfnLintBin = ensurePythonTool(CFN_LINT);
  try {
    const { stdout, stderr } = await run(cfnLintBin, [...templateFiles]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = z.object({ code: z.number(), stdout: z.string(), stderr: z.string() }).parse(error);
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
};

/** Extracts a packaged function's zip (Python's zipfile: cfn-lint already needs Python). */
export const extractZip = async (zipFile: string): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'clickstream-bundle-'));
  await run('python3', ['-m', 'zipfile', '-e', zipFile, dir]);
  return dir;
};

/** Imports a bundle in a fresh Node process as Lambda does (an ES module, no `require`); resolves with its exports. */
export const importBundle = async (file: string, env: Record<string, string>): Promise<string[]> => {
  const script = `import(${JSON.stringify(file)}).then((m) => console.log(JSON.stringify(Object.keys(m))))`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '[]';
  return z.array(z.string()).parse(JSON.parse(lastLine));
};
