/**
 * Prints the Confluent AWS Lambda Sink connector configuration for one of the functions:
 * `npx tsx connectors/cli.ts --function aggregate-events --stage confluent --region eu-west-1`.
 * `--help` for every option.
 */
import { z } from 'zod';
import { CliUsageError, parseCliArgs, wholeFlag } from '../tooling/cli-args.ts';
import {
  ConnectorTarget,
  InvocationType,
  invocationProblem,
  lambdaSinkConnector,
  missingCloudSettings,
  SINK_FUNCTIONS,
  type SinkFunction,
} from './lambda-sink.ts';

const HELP = `Usage: npx tsx connectors/cli.ts --function <name> --stage <stage> --region <region> [options]

Prints the AWS Lambda Sink connector configuration (JSON) that feeds a deployed function
from Kafka instead of the Lambda event source mapping. docs/deploy.md says when to.

Options:
  --function <name>             ${Object.keys(SINK_FUNCTIONS).join(' | ')}
  --stage <stage>               the deployed stage (function clickstream-<stage>-<name>)
  --region <region>             the function's region (default: AWS_REGION)
  --function-name <name|arn>    invoke this function, alias or ARN instead
  --target <cloud|platform>     fully managed on Confluent Cloud (default) or self-managed
  --invocation <sync|async>     sync (default): in order per partition, a failure stops the
                                task (behavior.on.error fail); async: fire and forget, out of
                                order, Lambda retries twice (enrich-sessions only)
  --batch-size <n>              records per invocation (default 20, the connector's default)
  --error-topic <topic>         self-managed: dead-letter topic (default clickstream-connector-errors)
  --service-account <id>        cloud: Confluent service account (CONFLUENT_SERVICE_ACCOUNT_ID)
  --provider-integration <id>   cloud: provider integration with the IAM role (CONFLUENT_PROVIDER_INTEGRATION_ID)
  --tasks <n>                   connector tasks (default 1)
  -h, --help                    show this help

Then: confluent connect cluster create --config-file <file>   (cloud)
      npm run lambda-sink -- --connector <file>                 (the local stand-in; --stage local)
      curl -X PUT -H 'Content-Type: application/json' --data @<file> \\
        http://<connect>:8083/connectors/<name>/config          (self-managed: the "config" object)
`;

const count = (flag: string) => wholeFlag(flag).positive(`${flag} must be > 0`);

const optionsSchema = (env: NodeJS.ProcessEnv) =>
  z.object({
    function: z.enum(Object.keys(SINK_FUNCTIONS) as [SinkFunction, ...SinkFunction[]], {
      error: `--function must be one of ${Object.keys(SINK_FUNCTIONS).join(', ')}`,
    }),
    stage: z.string({ error: '--stage is required' }).min(1, '--stage is required'),
    region: z
      .string({ error: '--region (or AWS_REGION) is required' })
      .min(1, '--region (or AWS_REGION) is required'),
    functionName: z.string().optional(),
    target: z.enum(ConnectorTarget, { error: '--target must be cloud or platform' }),
    invocationType: z.enum(InvocationType, { error: '--invocation must be sync or async' }),
    batchSize: count('--batch-size'),
    errorTopic: z.string().min(1, '--error-topic must not be empty'),
    serviceAccountId: z
      .string()
      .optional()
      .transform((value) => value ?? env.CONFLUENT_SERVICE_ACCOUNT_ID),
    providerIntegrationId: z
      .string()
      .optional()
      .transform((value) => value ?? env.CONFLUENT_PROVIDER_INTEGRATION_ID),
    tasks: count('--tasks'),
  });

const main = (argv: readonly string[]): number => {
  let parsed: ReturnType<typeof parseCliArgs<ReturnType<typeof optionsSchema>>>;
  try {
    parsed = parseCliArgs(argv, {
      options: {
        function: { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        'function-name': { type: 'string' },
        target: { type: 'string', default: ConnectorTarget.Cloud },
        invocation: { type: 'string', default: InvocationType.Sync },
        'batch-size': { type: 'string', default: '20' },
        'error-topic': { type: 'string', default: 'clickstream-connector-errors' },
        'service-account': { type: 'string' },
        'provider-integration': { type: 'string' },
        tasks: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h' },
      },
      toInput: (values) => ({
        function: values.function,
        stage: values.stage,
        region: values.region ?? process.env.AWS_REGION,
        functionName: values['function-name'],
        target: values.target,
        invocationType: values.invocation,
        batchSize: values['batch-size'],
        errorTopic: values['error-topic'],
        serviceAccountId: values['service-account'],
        providerIntegrationId: values['provider-integration'],
        tasks: values.tasks,
      }),
      schema: optionsSchema(process.env),
    });
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`${error.message.split('; ').join('\n')}\n\n${HELP}`);
    return error.exitCode;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options = parsed.options;
  const problem = invocationProblem(options);
  if (problem !== undefined) {
    console.error(problem);
    return 1;
  }
  const missing = missingCloudSettings(options);
  if (missing.length > 0) {
    console.error(`a Confluent Cloud connector needs ${missing.join(' and ')}`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(lambdaSinkConnector(options), null, 2)}\n`);
  return 0;
};

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
