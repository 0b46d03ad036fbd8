import { describe, expect, it } from 'vitest';
import {
  invocationProblem,
  type LambdaSinkOptions,
  lambdaSinkConnector,
  missingCloudSettings,
} from '../../../connectors/lambda-sink.ts';

const OPTIONS: LambdaSinkOptions = {
  target: 'cloud',
  function: 'aggregate-events',
  stage: 'confluent',
  region: 'eu-west-1',
  invocationType: 'sync',
  batchSize: 50,
  errorTopic: 'clickstream-connector-errors',
  serviceAccountId: 'sa-abc123',
  providerIntegrationId: 'dlz-xyz789',
  tasks: 2,
};

describe('lambdaSinkConnector', () => {
  it('configures the fully managed connector for the deployed function, without credentials', () => {
    const connector = lambdaSinkConnector(OPTIONS);

    expect(connector).toEqual({
      name: 'clickstream-confluent-aggregate-events-lambda-sink',
      config: {
        'connector.class': 'LambdaSink',
        name: 'clickstream-confluent-aggregate-events-lambda-sink',
        topics: 'clickstream-events',
        'aws.lambda.function.name': 'clickstream-confluent-aggregate-events',
        'aws.lambda.invocation.type': 'sync',
        'aws.lambda.batch.size': '50',
        'tasks.max': '2',
        'input.data.format': 'JSON',
        'kafka.auth.mode': 'SERVICE_ACCOUNT',
        'kafka.service.account.id': 'sa-abc123',
        'authentication.method': 'IAM Roles',
        'provider.integration.id': 'dlz-xyz789',
        'behavior.on.error': 'fail',
      },
    });
  });

  it('configures the self-managed connector with an async invocation of an alias and an error topic', () => {
    const { config } = lambdaSinkConnector({
      ...OPTIONS,
      target: 'platform',
      function: 'enrich-sessions',
      functionName: 'clickstream-prod-enrich-sessions:live',
      invocationType: 'async',
    });

    expect(config).toMatchObject({
      'connector.class': 'io.confluent.connect.aws.lambda.AwsLambdaSinkConnector',
      topics: 'clickstream-user-sessions',
      'aws.lambda.function.name': 'clickstream-prod-enrich-sessions:live',
      'aws.lambda.invocation.type': 'async',
      'aws.lambda.region': 'eu-west-1',
      'behavior.on.error': 'fail',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'clickstream-connector-errors',
    });
    expect(config).not.toHaveProperty('kafka.service.account.id');
  });

  it('refuses async invocations of the aggregation, whose watermarks need each partition in order', () => {
    expect(invocationProblem({ function: 'aggregate-events', invocationType: 'async' })).toMatch(
      /needs --invocation sync/,
    );
    expect(invocationProblem({ function: 'aggregate-events', invocationType: 'sync' })).toBeUndefined();
    expect(invocationProblem({ function: 'enrich-sessions', invocationType: 'async' })).toBeUndefined();
  });

  it('rejects a batch size below one', () => {
    expect(() => lambdaSinkConnector({ ...OPTIONS, batchSize: 0 })).toThrow(RangeError);
  });

  it('names the Confluent Cloud settings a cloud connector lacks', () => {
    expect(missingCloudSettings({ ...OPTIONS, serviceAccountId: undefined })).toEqual([
      '--service-account (CONFLUENT_SERVICE_ACCOUNT_ID)',
    ]);
    expect(
      missingCloudSettings({ ...OPTIONS, target: 'platform', providerIntegrationId: undefined }),
    ).toEqual([]);
  });
});
