/**
 * Amazon MSK IAM authentication for kafkajs: SASL/OAUTHBEARER with a token signed by the
 * caller's AWS credentials (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html).
 * The signing is AWS's own library, aws-msk-iam-sasl-signer-js, loaded only on the MSK path
 * (it is not a dependency of the project; `npm install aws-msk-iam-sasl-signer-js` to use it).
 */
import type { OauthbearerProviderResponse } from 'kafkajs';
import { z } from 'zod';
import { MissingPackageError } from './errors.ts';

/** What the signer library gives: a token and when it expires (epoch ms). */
export interface MskAuthToken {
  readonly token: string;
  readonly expiryTime: number;
}

/** Produces MSK IAM tokens for a region; aws-msk-iam-sasl-signer-js or a fake. */
export interface MskTokenSigner {
  generateAuthToken(options: { region: string }): Promise<MskAuthToken>;
}

export const MSK_SIGNER_PACKAGE = 'aws-msk-iam-sasl-signer-js';

const SignerModule = z.object({
  generateAuthToken: z.custom<(options: { region: string }) => Promise<unknown>>(
    (value) => typeof value === 'function',
  ),
});
const Token = z.object({ token: z.string().min(1), expiryTime: z.number() });

/**
 * Loads aws-msk-iam-sasl-signer-js.
 *
 * @throws {MissingPackageError} when it is not installed, saying how to install it.
 */
export const loadMskTokenSigner = async (
  load: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<MskTokenSigner> => {
  let loaded: unknown;
  try {
    loaded = await load(MSK_SIGNER_PACKAGE);
  } catch (error) {
    throw new MissingPackageError(MSK_SIGNER_PACKAGE, 'MSK IAM authentication', { cause: error });
  }
  const module = SignerModule.parse(loaded);
  return {
    generateAuthToken: async (options) => Token.parse(await module.generateAuthToken(options)),
  };
};

/**
 * The kafkajs `oauthBearerProvider` for MSK IAM: kafkajs calls it on every (re)authentication,
 * and each call signs a fresh token (valid 15 minutes) with the current credentials.
 */
export const mskOauthBearerProvider =
  (signer: MskTokenSigner, region: string): (() => Promise<OauthbearerProviderResponse>) =>
  async () => {
    const { token } = await signer.generateAuthToken({ region });
    return { value: token };
  };
