import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A fault injector on a real DynamoDB client: the next `calls` requests fail as DynamoDB
 * fails a throttled request (`ThrottlingException`, HTTP 400,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes)
 * before they are sent; the others reach the emulator. It sits inside the SDK's retry loop
 * (after `finalizeRequest`'s retry middleware), so the SDK retries a throttled request with
 * its backoff as it would on AWS.
 */
export const throttleNextCalls = (
  client: DynamoDBClient,
  calls: number,
): { readonly throttled: () => number } => {
  let left = calls;
  let throttled = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (left > 0) {
        left -= 1;
        throttled += 1;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400, attempts: 1 },
        });
      }
      return next(args);
    },
    { step: 'deserialize', name: 'testThrottling', override: true },
  );
  return { throttled: () => throttled };
};
