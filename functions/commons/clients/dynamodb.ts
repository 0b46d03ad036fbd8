import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { readEnv, requiredString } from '../../../services/commons/env.ts';
import { tracer } from '../observability.ts';

/** Settings of the DynamoDB client. */
export interface DynamoDbSettings {
  readonly region: string;
  /** A local endpoint (dynalite), or `undefined` for the region's DynamoDB. */
  readonly endpoint: string | undefined;
  /** Whether credentials come from the environment; if not, a local endpoint gets dummy ones. */
  readonly hasCredentials: boolean;
}

/** The environment of the DynamoDB client. AWS_REGION is always set by the Lambda runtime. */
export const DynamoDbEnvSchema = z
  .object({
    AWS_REGION: requiredString(),
    DYNAMODB_ENDPOINT: z.url('must be a URL such as http://127.0.0.1:4567').optional(),
    AWS_ACCESS_KEY_ID: z.string().optional(),
  })
  .transform(
    (env): DynamoDbSettings => ({
      region: env.AWS_REGION,
      endpoint: env.DYNAMODB_ENDPOINT,
      hasCredentials: env.AWS_ACCESS_KEY_ID !== undefined,
    }),
  );

/**
 * Builds a DynamoDB document client; numbers come back as JavaScript numbers. Its calls are
 * X-Ray subsegments when tracing is on (the tracer leaves the client as it is otherwise).
 */
export const createDocumentClient = (settings: DynamoDbSettings): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    tracer.captureAWSv3Client(
      new DynamoDBClient({
        region: settings.region,
        ...(settings.endpoint === undefined
          ? {}
          : {
              endpoint: settings.endpoint,
              // An emulator accepts any signature; without this the SDK would look for a profile.
              ...(settings.hasCredentials
                ? {}
                : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
            }),
      }),
    ),
  );

/**
 * The instance's DynamoDB document client, built once at module load and reused by every
 * invocation (its HTTP connections are kept alive across invocations).
 */
export const documentClient: DynamoDBDocumentClient = createDocumentClient(readEnv(DynamoDbEnvSchema));
