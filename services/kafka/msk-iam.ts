import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';

/** Signs an MSK IAM token for a region with the caller's AWS credentials; AWS's signer by default. */
export type MskTokenSigner = (options: { region: string }) => Promise<{ token: string }>;

/**
 * The one MSK IAM module: kafkajs SASL options for Amazon MSK's IAM access control
 * (SASL/OAUTHBEARER, port 9098). kafkajs asks for a token on every (re)authentication and the
 * signer (AWS's own aws-msk-iam-sasl-signer-js) signs a fresh one, valid 15 minutes
 * (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html).
 */
export const mskIamSasl = (region: string, sign: MskTokenSigner = generateAuthToken): SASLOptions => ({
  mechanism: 'oauthbearer',
  oauthBearerProvider: async () => ({ value: (await sign({ region })).token }),
});
