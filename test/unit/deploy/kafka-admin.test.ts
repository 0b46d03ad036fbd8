import { describe, expect, it } from 'vitest';
import { MissingPackageError } from '../../../deploy/errors.ts';
import { adminKafkaConfig } from '../../../deploy/kafka-admin.ts';
import { loadMskTokenSigner, type MskTokenSigner } from '../../../deploy/msk-iam.ts';
import { readDeploySettings } from '../../../deploy/settings.ts';

const MSK_ENV = {
  AWS_REGION: 'eu-west-1',
  KAFKA_BOOTSTRAP_SERVERS: 'b-1.c.kafka.eu-west-1.amazonaws.com:9098',
  MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:123456789012:cluster/clickstream/0b1c2d3e-4f5a-2',
  MSK_SUBNET_IDS: 'subnet-0123456789abcdef0',
  MSK_SECURITY_GROUP_IDS: 'sg-0123456789abcdef0',
};

describe('adminKafkaConfig', () => {
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

    expect(adminKafkaConfig(settings)).toMatchObject({
      brokers: ['pkc-1.eu-west-1.aws.confluent.cloud:9092'],
      ssl: true,
      sasl: { mechanism: 'plain', username: 'KEY', password: 'SECRET' },
    });
  });

  it('signs a fresh OAUTHBEARER token for the region on each authentication to MSK', async () => {
    const regions: string[] = [];
    let issued = 0;
    const signer: MskTokenSigner = {
      generateAuthToken: async ({ region }) => {
        regions.push(region);
        issued += 1;
        return { token: `token-${issued}`, expiryTime: Date.now() + 900_000 };
      },
    };

    const config = adminKafkaConfig(readDeploySettings(MSK_ENV, { stage: 'msk' }), signer);

    expect(config).toMatchObject({ ssl: true, sasl: { mechanism: 'oauthbearer' } });
    const sasl = config.sasl;
    if (sasl === undefined || !('oauthBearerProvider' in sasl))
      throw new Error('not an OAUTHBEARER configuration');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-1' });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-2' });
    expect(regions).toEqual(['eu-west-1', 'eu-west-1']);
  });
});

describe('loadMskTokenSigner', () => {
  it('says which package to install when the signer is missing', async () => {
    const load = async (): Promise<unknown> => {
      throw new Error("Cannot find package 'aws-msk-iam-sasl-signer-js'");
    };

    await expect(loadMskTokenSigner(load)).rejects.toThrow(
      new MissingPackageError('aws-msk-iam-sasl-signer-js', 'MSK IAM authentication'),
    );
  });

  it('validates the tokens the package returns', async () => {
    const signer = await loadMskTokenSigner(async () => ({
      generateAuthToken: async () => ({ token: '', expiryTime: 0 }),
    }));

    await expect(signer.generateAuthToken({ region: 'eu-west-1' })).rejects.toThrow(/token/);
  });
});
