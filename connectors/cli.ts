/**
 * Prints the Confluent AWS Lambda Sink connector configuration for one of the functions:
 * `npx tsx connectors/cli.ts --function aggregate-events --stage confluent --region eu-west-1`.
 * `--help` for every option.
 */
import { parseArgs } from 'node:util';
import {
  ConnectorTarget,
  InvocationType,
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
  --invocation <sync|async>     sync (default): in order per partition, failures recorded;
                                async: fire and forget, Lambda retries twice
  --batch-size <n>              records per invocation (default 20, the connector's default)
  --error-topic <topic>         self-managed: dead-letter topic (default clickstream-connector-errors)
  --service-account <id>        cloud: Confluent service account (CONFLUENT_SERVICE_ACCOUNT_ID)
  --provider-integration <id>   cloud: provider integration with the IAM role (CONFLUENT_PROVIDER_INTEGRATION_ID)
  --tasks <n>                   connector tasks (default 1)
  -h, --help                    show this help

Then: confluent connect cluster create --config-file <file>   (cloud)
      curl -X PUT -H 'Content-Type: application/json' --data @<file> \\
        http://<connect>:8083/connectors/<name>/config          (self-managed: the "config" object)
`;

const isOneOf = <T extends string>(values: Record<string, T>, value: string): value is T =>
  (Object.values(values) as string[]).includes(value);

const main = (argv: readonly string[]): number => {
  const { values } = parseArgs({
    args: [...argv],
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
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const problems: string[] = [];
  const fn = values.function ?? '';
  if (!(fn in SINK_FUNCTIONS))
    problems.push(`--function must be one of ${Object.keys(SINK_FUNCTIONS).join(', ')}`);
  if (values.stage === undefined) problems.push('--stage is required');
  const region = values.region ?? process.env.AWS_REGION;
  if (region === undefined) problems.push('--region (or AWS_REGION) is required');
  if (!isOneOf(ConnectorTarget, values.target)) problems.push('--target must be cloud or platform');
  if (!isOneOf(InvocationType, values.invocation)) problems.push('--invocation must be sync or async');
  if (
    problems.length > 0 ||
    !isOneOf(ConnectorTarget, values.target) ||
    !isOneOf(InvocationType, values.invocation)
  ) {
    console.error(`${problems.join('\n')}\n\n${HELP}`);
    return 1;
  }
  const options = {
    target: values.target,
    function: fn as SinkFunction,
    stage: values.stage ?? '',
    region: region ?? '',
    functionName: values['function-name'],
    invocationType: values.invocation,
    batchSize: Number(values['batch-size']),
    errorTopic: values['error-topic'],
    serviceAccountId: values['service-account'] ?? process.env.CONFLUENT_SERVICE_ACCOUNT_ID,
    providerIntegrationId: values['provider-integration'] ?? process.env.CONFLUENT_PROVIDER_INTEGRATION_ID,
    tasks: Number(values.tasks),
  };
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
