import { describe, expect, it } from 'vitest';
import { mskIamSasl } from '../../../services/kafka/msk-iam.ts';

describe('mskIamSasl', () => {
  it('signs a fresh OAUTHBEARER token for the region on each authentication', async () => {
    const regions: string[] = [];
    let issued = 0;
    const sasl = mskIamSasl('eu-west-1', async ({ region }) => {
      regions.push(region);
      issued += 1;
      return { token: `token-${issued}` };
    });

    expect(sasl.mechanism).toBe('oauthbearer');
    if (!('oauthBearerProvider' in sasl)) throw new Error('not an OAUTHBEARER configuration');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-1' });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-2' });
    expect(regions).toEqual(['eu-west-1', 'eu-west-1']);
  });
});
