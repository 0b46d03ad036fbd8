import { describe, expect, it } from 'vitest';
import { deployConnection } from '../../../deploy/kafka-admin.ts';
import { readDeploySettings } from '../../../deploy/settings.ts';

const MSK_ENV = {
  AWS_REGION: 'eu-west-1',
  KAFKA_BOOTSTRAP_SERVERS: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098',
  MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:123456789012:cluster/clickstream/0b1c2d3e-4f5a-2',
  MSK_SUBNET_IDS: 'subnet-0123456789abcdef0',
  MSK_SECURITY_GROUP_IDS: 'sg-0123456789abcdef0',
};

describe('deployConnection', () => {
  it('uses TLS and SASL/PLAIN with the API key for Confluent Cloud', () => {
    const settings = readDeploySettings(
      {
        AWS_REGION: 'eu-west-1',
        KAFKA_BOOTSTRAP_SERVERS: 'pkc-1.eu-west-1.aws.confluent.cloud:9092',
        KAFKA_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cc-AbCdEf',
        KAFKA_SASL_USERNAME: 'KEY',
        KAFKA_SASL_PASSWORD: 'SECRET',
      },
      { stage: 'confluent' },
    );

    expect(deployConnection(settings)).toEqual({
      brokers: ['pkc-1.eu-west-1.aws.confluent.cloud:9092'],
      ssl: true,
      sasl: { mechanism: 'plain', username: 'KEY', password: 'SECRET' },
    });
  });

  it('uses TLS and MSK IAM in the deployment region for Amazon MSK', () => {
    expect(deployConnection(readDeploySettings(MSK_ENV, { stage: 'msk' }))).toEqual({
      brokers: ['b-1.c.kafka.eu-west-1.amazonaws.com:9098'],
      ssl: true,
      sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' },
    });
  });
});
