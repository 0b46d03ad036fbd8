/**
 * `npm run secrets-manager` — the local Secrets Manager stand-in, serving GetSecretValue for
 * the secrets of a JSON file until Ctrl-C.
 */
import { z } from 'zod';
import { CliUsageError, parseCliArgs, portFlag } from '../../tooling/cli-args.ts';
import { createToolLogger } from '../../tooling/logger.ts';
import { startSecretsManager } from './server.ts';
import { SecretStore, seedFromFile } from './store.ts';

const HELP = `Usage: npm run secrets-manager -- --secrets <file.json> [--port <port>] [--region <region>]

A local stand-in for AWS Secrets Manager (GetSecretValue only, AWS JSON 1.1 on 127.0.0.1),
for the ESM emulator's mappings with SourceAccessConfigurations (BASIC_AUTH, SASL_SCRAM_*).

Options:
  --secrets <file>    JSON: secret name or ARN → value; an object is stored as its JSON, e.g.
                      {"arn:aws:secretsmanager:us-east-1:000000000000:secret:kafka":
                        {"username": "clickstream", "password": "…"}}
  --port <port>       where to listen (default: a free port, printed)
  --region <region>   region in the ARNs of secrets named by name (default: us-east-1)
  -h, --help          this text

Point the AWS SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER=<the printed endpoint>.
`;

const FlagsSchema = z.object({
  secrets: z.string({ error: '--secrets <file.json> is required' }),
  port: portFlag('--port').optional(),
  region: z.string().min(1).optional(),
});

const main = async (): Promise<number> => {
  const parsed = parseCliArgs(process.argv.slice(2), {
    options: {
      secrets: { type: 'string' },
      port: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values) => ({ secrets: values.secrets, port: values.port, region: values.region }),
    schema: FlagsSchema,
  });
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const { secrets, port, region } = parsed.options;
  const log = createToolLogger('secrets-manager');
  const store = new SecretStore(region === undefined ? {} : { region });
  seedFromFile(store, secrets);
  const emulator = await startSecretsManager({ secrets: store, ...(port === undefined ? {} : { port }) });
  log.info('secrets manager stand-in listening', { endpoint: emulator.endpoint, secrets: store.size });
  process.stdout.write(`AWS_ENDPOINT_URL_SECRETS_MANAGER=${emulator.endpoint}\n`);
  return new Promise((resolveExit) => {
    const shutdown = (): void => {
      emulator.stop().then(
        () => resolveExit(0),
        () => resolveExit(1),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`secrets-manager: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof CliUsageError ? error.exitCode : 1;
  },
);
