import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLimits } from '../../../services/limits/index.ts';

/** The document-client input of one write, as the middleware sees it (before marshalling). */
type WriteInput = Record<string, unknown>;

const PADDING = 'refusal';

/** The input with one more attribute that takes the item past DynamoDB's item size. */
const oversized = (input: WriteInput): WriteInput => {
  const padding = 'x'.repeat(DynamoDbLimits.itemBytes + 1);
  if (typeof input.Item === 'object' && input.Item !== null) {
    return { ...input, Item: { ...input.Item, [PADDING]: padding } };
  }
  if (typeof input.UpdateExpression === 'string') {
    return {
      ...input,
      UpdateExpression: `${input.UpdateExpression}, #${PADDING} = :${PADDING}`,
      ExpressionAttributeNames: { ...(input.ExpressionAttributeNames as object), [`#${PADDING}`]: PADDING },
      ExpressionAttributeValues: { ...(input.ExpressionAttributeValues as object), [`:${PADDING}`]: padding },
    };
  }
  return input;
};

/**
 * Makes the real table refuse the writes `refuses` picks (by their document-client input: key,
 * item, values): such a PutItem or UpdateItem goes out with one more attribute that takes the
 * item past DynamoDB's 400 KB, so the table itself answers ValidationException ("Item size has
 * exceeded the maximum allowed size"). The refusal and its message are the sink's own; only the
 * choice of write is injected (as test/support/aggregation/faulty-store.ts injects a failure).
 */
export const refuseWrites = (
  client: DynamoDBDocumentClient,
  refuses: (input: WriteInput) => boolean,
): void => {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as WriteInput;
      return next(refuses(input) ? { ...args, input: oversized(input) } : args);
    },
    { step: 'initialize', name: 'refuseWritesForTest', override: true },
  );
};

/**
 * Makes the writes `fails` picks fail as DynamoDB throttling fails them (a
 * ThrottlingException, which a retry can fix), without sending them.
 */
export const throttleWrites = (
  client: DynamoDBDocumentClient,
  fails: (input: WriteInput) => boolean,
): void => {
  client.middlewareStack.add(
    (next) => async (args) => {
      if (!fails(args.input as WriteInput)) return next(args);
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ThrottlingException',
        $retryable: { throttling: true },
      });
    },
    { step: 'initialize', name: 'throttleWritesForTest', override: true },
  );
};

/** Whether a write's input names `text` anywhere (its key, item or values). */
export const mentions = (input: WriteInput, text: string): boolean =>
  JSON.stringify(input, (_, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  ).includes(text);
