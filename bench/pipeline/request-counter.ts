import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

/** DynamoDB requests and capacity units, as counted on the client. */
export interface RequestCounts {
  readonly writeRequests: number;
  readonly readRequests: number;
  /** Base-table write request units, as DynamoDB reports them (ConsumedCapacity). */
  readonly writeUnits: number;
  readonly readUnits: number;
  /**
   * Write units of the top-pages GSI, estimated: DynamoDB does not report them per request
   * in TOTAL mode and dynalite does not model them. Upper bound: an update that moves an
   * item's index sort key costs a delete and a put on the index
   * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes),
   * each the size of the projected (ALL) item, so twice the table's units.
   */
  readonly indexWriteUnits: number;
}

/** Something that counts requests; `snapshot()` is cumulative. */
export interface RequestCounter {
  snapshot(): RequestCounts;
}

export const ZERO_COUNTS: RequestCounts = {
  writeRequests: 0,
  readRequests: 0,
  writeUnits: 0,
  readUnits: 0,
  indexWriteUnits: 0,
};

/** `after − before`, field by field. */
export const countsBetween = (before: RequestCounts, after: RequestCounts): RequestCounts => ({
  writeRequests: after.writeRequests - before.writeRequests,
  readRequests: after.readRequests - before.readRequests,
  writeUnits: after.writeUnits - before.writeUnits,
  readUnits: after.readUnits - before.readUnits,
  indexWriteUnits: after.indexWriteUnits - before.indexWriteUnits,
});

/** Sums counts. */
export const addCounts = (a: RequestCounts, b: RequestCounts): RequestCounts => ({
  writeRequests: a.writeRequests + b.writeRequests,
  readRequests: a.readRequests + b.readRequests,
  writeUnits: a.writeUnits + b.writeUnits,
  readUnits: a.readUnits + b.readUnits,
  indexWriteUnits: a.indexWriteUnits + b.indexWriteUnits,
});

const WRITE_COMMANDS = /^(PutItem|UpdateItem|DeleteItem|Put|Update|Delete)Command$/;
const READ_COMMANDS = /^(GetItem|Get|Query|Scan)Command$/;

const ConsumedCapacityOutput = z.looseObject({
  ConsumedCapacity: z.looseObject({ CapacityUnits: z.number() }).optional(),
});
const IndexedWriteInput = z.looseObject({
  ExpressionAttributeNames: z.record(z.string(), z.string()).optional(),
  Item: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Counts every request a DynamoDB document client sends, and the capacity units DynamoDB
 * reports for it: a middleware asks for `ReturnConsumedCapacity: TOTAL` (which changes
 * nothing else) and reads the answer. A conditional write that fails still consumes write
 * units; it is counted as one.
 *
 * @param indexKeyAttribute an attribute that, when a write sets it, puts the item in a GSI.
 */
export const countDynamoDbRequests = (
  client: DynamoDBDocumentClient,
  indexKeyAttribute: string,
): RequestCounter => {
  const counts = { ...ZERO_COUNTS };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isWrite = WRITE_COMMANDS.test(command);
      const isRead = READ_COMMANDS.test(command);
      if (!isWrite && !isRead) return next(args);
      const input = IndexedWriteInput.safeParse(args.input);
      const indexed =
        isWrite &&
        input.success &&
        (Object.values(input.data.ExpressionAttributeNames ?? {}).includes(indexKeyAttribute) ||
          input.data.Item?.[indexKeyAttribute] !== undefined);
      if (isWrite) counts.writeRequests += 1;
      else counts.readRequests += 1;
      let units = 1;
      try {
        const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
        const output = ConsumedCapacityOutput.safeParse(result.output);
        units = (output.success ? output.data.ConsumedCapacity?.CapacityUnits : undefined) ?? 1;
        return result;
      } finally {
        if (isWrite) {
          counts.writeUnits += units;
          if (indexed) counts.indexWriteUnits += 2 * units;
        } else {
          counts.readUnits += units;
        }
      }
    },
    { step: 'initialize', name: 'benchRequestCounter', override: true },
  );
  return { snapshot: () => ({ ...counts }) };
};
