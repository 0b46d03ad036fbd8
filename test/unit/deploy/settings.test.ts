import { describe, expect, it } from 'vitest';
import { DeploySettingsError } from '../../../deploy/errors.ts';
import { readDeploySettings, serverlessArgs } from '../../../deploy/settings.ts';

const CONFLUENT_ENV = {
  AWS_REGION: 'eu-west-1',
  KAFKA_BOOTSTRAP_SERVERS: 'pkc-12345.eu-west-1.aws.confluent.cloud:9092',
  KAFKA_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:clickstream/confluent-AbCdEf',
  KAFKA_SASL_USERNAME: 'CONFLUENTKEY',
  KAFKA_SASL_PASSWORD: 'confluent-secret-value',
};

const MSK_ENV = {
  AWS_REGION: 'eu-west-1',
  KAFKA_BOOTSTRAP_SERVERS:
    'b-1.c.kafka.eu-west-1.amazonaws.com:9098, b-2.c.kafka.eu-west-1.amazonaws.com:9098',
  MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:123456789012:cluster/clickstream/0b1c2d3e-4f5a-2',
  MSK_SUBNET_IDS: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  MSK_SECURITY_GROUP_IDS: 'sg-0123456789abcdef0',
};

const problemsOf = (env: Record<string, string>, overrides: { stage?: string } = {}): readonly string[] => {
  try {
    readDeploySettings(env, overrides);
  } catch (error) {
    if (error instanceof DeploySettingsError) return error.problems;
    throw error;
  }
  throw new Error('the settings were accepted');
};

describe('readDeploySettings', () => {
  it('reads a Confluent Cloud deployment, the provider implied by the stage', () => {
    const settings = readDeploySettings(CONFLUENT_ENV, { stage: 'confluent' });

    expect(settings).toMatchObject({
      stage: 'confluent',
      region: 'eu-west-1',
      topicPartitions: 6,
      ksqldbUrl: undefined,
      kafka: {
        provider: 'confluent',
        bootstrapServers: [CONFLUENT_ENV.KAFKA_BOOTSTRAP_SERVERS],
        apiKey: 'CONFLUENTKEY',
      },
    });
  });

  it('names every missing setting at once, before anything is created', () => {
    const problems = problemsOf({ AWS_REGION: 'eu-west-1' }, { stage: 'confluent' });

    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'KAFKA_BOOTSTRAP_SERVERS',
      'KAFKA_SECRET_ARN',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ]);
  });

  it('names the MSK settings for an MSK stage', () => {
    const problems = problemsOf(
      { AWS_REGION: 'eu-west-1', KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098' },
      { stage: 'msk' },
    );

    expect(problems.map((problem) => problem.split(' ')[0])).toEqual([
      'MSK_CLUSTER_ARN',
      'MSK_SUBNET_IDS',
      'MSK_SECURITY_GROUP_IDS',
    ]);
  });

  it('needs KAFKA_PROVIDER on a stage that does not imply one', () => {
    expect(problemsOf(CONFLUENT_ENV, { stage: 'prod' })).toContain(
      'KAFKA_PROVIDER is required unless the stage is confluent or msk: confluent or msk',
    );
    expect(readDeploySettings({ ...MSK_ENV, KAFKA_PROVIDER: 'msk' }, { stage: 'prod' }).kafka.provider).toBe(
      'msk',
    );
  });

  it('refuses the local stage', () => {
    expect(problemsOf({ ...CONFLUENT_ENV, KAFKA_PROVIDER: 'confluent' }, { stage: 'local' })).toContain(
      'STAGE "local" is the laptop stack and is never deployed',
    );
  });

  it('rejects values of the wrong shape, naming the variable', () => {
    const problems = problemsOf(
      { ...MSK_ENV, MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:123456789012:topic/x', TOPIC_PARTITIONS: '0' },
      { stage: 'msk' },
    );

    expect(problems).toEqual([
      'MSK_CLUSTER_ARN must be arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>, got "arn:aws:kafka:eu-west-1:123456789012:topic/x"',
      'TOPIC_PARTITIONS must be a positive integer, got "0"',
    ]);
  });

  it('accepts one bootstrap endpoint for Confluent Cloud, as its mapping takes it', () => {
    const problems = problemsOf(
      { ...CONFLUENT_ENV, KAFKA_BOOTSTRAP_SERVERS: 'a.confluent.cloud:9092,b.confluent.cloud:9092' },
      { stage: 'confluent' },
    );

    expect(problems).toEqual([
      'KAFKA_BOOTSTRAP_SERVERS must be the one bootstrap endpoint of the Confluent cluster',
    ]);
  });
});

describe('serverlessArgs', () => {
  it('passes the connection and tuning as parameters, never the API key or secret', () => {
    const settings = readDeploySettings(
      { ...CONFLUENT_ENV, AGGREGATE_BATCH_SIZE: '1000', ENRICH_CONSUMER_GROUP_ID: 'enrich-blue' },
      { stage: 'confluent' },
    );

    const args = serverlessArgs('deploy', settings);

    expect(args).toEqual([
      'deploy',
      '--stage',
      'confluent',
      '--region',
      'eu-west-1',
      '--param',
      'kafkaProvider=confluent',
      '--param',
      `kafkaBootstrapServers=${CONFLUENT_ENV.KAFKA_BOOTSTRAP_SERVERS}`,
      '--param',
      `kafkaSecretArn=${CONFLUENT_ENV.KAFKA_SECRET_ARN}`,
      '--param',
      'aggregateBatchSize=1000',
      '--param',
      'enrichConsumerGroupId=enrich-blue',
    ]);
    expect(args.join(' ')).not.toContain(CONFLUENT_ENV.KAFKA_SASL_PASSWORD);
  });

  it('passes the MSK cluster, brokers and network as parameters', () => {
    const args = serverlessArgs('remove', readDeploySettings(MSK_ENV, { stage: 'msk' }));

    expect(args).toEqual(
      expect.arrayContaining([
        'remove',
        `mskClusterArn=${MSK_ENV.MSK_CLUSTER_ARN}`,
        'kafkaBootstrapServers=b-1.c.kafka.eu-west-1.amazonaws.com:9098,b-2.c.kafka.eu-west-1.amazonaws.com:9098',
        `mskSubnetIds=${MSK_ENV.MSK_SUBNET_IDS}`,
        `mskSecurityGroupIds=${MSK_ENV.MSK_SECURITY_GROUP_IDS}`,
      ]),
    );
  });
});
