/**
 * The deployer's AWS credentials, checked before the deploy touches anything: a missing
 * profile or key must stop `npm run deploy` with one line, not after the topics were created.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsCredentialsError } from './errors.ts';

/**
 * Resolves the AWS SDK's default credential chain (environment, `AWS_PROFILE` and the shared
 * files, SSO, container and instance roles:
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html), the same
 * chain the Serverless Framework and the AWS CLI use. Nothing is sent to AWS.
 *
 * @throws {AwsCredentialsError} naming what to set.
 */
export const checkAwsCredentials = async (region: string): Promise<void> => {
  const client = new DynamoDBClient({ region });
  try {
    const credentials = await client.config.credentials();
    if (credentials.accessKeyId === '') throw new Error('the access key id is empty');
  } catch (error) {
    const profile = process.env.AWS_PROFILE;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AwsCredentialsError(
      `no AWS credentials${profile === undefined ? '' : ` for profile "${profile}"`}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (aws sts get-caller-identity must work) — ${reason}`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
};
