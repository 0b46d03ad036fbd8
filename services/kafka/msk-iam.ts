import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';

/**
 * kafkajs SASL options for Amazon MSK's IAM access control (SASL/OAUTHBEARER, port 9098):
 * kafkajs asks for a token on every (re)authentication and AWS's signer signs a fresh one,
 * valid 15 minutes, with the caller's AWS credentials
 * (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html).
 */
export const mskIamSasl = (region: string): SASLOptions => ({
  mechanism: 'oauthbearer',
  oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
});
