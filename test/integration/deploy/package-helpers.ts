import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
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

/** checkov, pinned, from the project's venv (.cache/venv; the integration setup installs it). */
export const CHECKOV = { package: 'checkov', version: '3.3.30', bin: 'checkov' } as const;

/** A failed checkov check: its id and the logical id of the resource it failed on. */
export interface CheckovFinding {
  readonly id: string;
  readonly resource: string;
}

const CheckovReport = z.looseObject({
  results: z.looseObject({
    failed_checks: z.array(z.looseObject({ check_id: z.string(), resource: z.string() })),
  }),
});

/**
 * Runs the venv's checkov on one CloudFormation template, offline (`--skip-download`: no
 * guidelines fetched), with no skips of its own; its failed checks.
 */
export const checkov = async (templateFile: string): Promise<CheckovFinding[]> => {
  const bin = ensurePythonTool(CHECKOV);
  const args = [
    '-f',
    templateFile,
    '--framework',
    'cloudformation',
    '--skip-download',
    '--quiet',
    '-o',
    'json',
  ];
  // checkov exits 1 when a check failed; the report is on stdout either way.
  const stdout = await run(bin, args, { maxBuffer: 64 * 1024 * 1024 }).then(
    (result) => result.stdout,
    (error: unknown) => z.object({ code: z.literal(1), stdout: z.string() }).parse(error).stdout,
  );
  const parsed: unknown = JSON.parse(stdout);
  // One framework gives one report; checkov lists several only when more frameworks ran.
  const reports = z.array(CheckovReport).parse(Array.isArray(parsed) ? parsed : [parsed]);
  return reports.flatMap((report) =>
    report.results.failed_checks.map((check) => ({
      id: check.check_id,
      resource: check.resource.slice(check.resource.lastIndexOf('.') + 1),
    })),
  );
};

const CheckovSkips = z.object({
  skips: z.array(
    z.object({
      id: z.string().regex(/^CKV2?_AWS_\d+$/),
      check: z.string().min(1),
      resources: z.array(z.string().min(1)).min(1).optional(),
      reason: z.string().min(40, 'must say why the check does not apply'),
    }),
  ),
});
export type CheckovSkip = z.infer<typeof CheckovSkips>['skips'][number];

/** resources/checkov-skips.yml: the checks that do not apply, each with its reason. */
export const loadCheckovSkips = (): CheckovSkip[] =>
  CheckovSkips.parse(parse(readFileSync(join(ROOT, 'resources', 'checkov-skips.yml'), 'utf8'))).skips;

/** Whether a skip covers a finding: same check, and the resource listed (or no list). */
export const skipCovers = (skip: CheckovSkip, finding: CheckovFinding): boolean =>
  skip.id === finding.id && (skip.resources === undefined || skip.resources.includes(finding.resource));

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
