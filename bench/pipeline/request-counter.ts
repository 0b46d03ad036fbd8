import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';

/** DynamoDB requests and capacity units, as counted on the client. */
export interface RequestCounts {
  readonly writeRequests: number;
  readonly readRequests: number;
  /** Base-table write request units, as DynamoDB reports them (ConsumedCapacity). */
  readonly writeUnits: number;
  readonly readUnits: number;
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
};

/** `after − before`, field by field. */
export const countsBetween = (before: RequestCounts, after: RequestCounts): RequestCounts => ({
  writeRequests: after.writeRequests - before.writeRequests,
  readRequests: after.readRequests - before.readRequests,
  writeUnits: after.writeUnits - before.writeUnits,
  readUnits: after.readUnits - before.readUnits,
});

/** Sums counts. */
export const addCounts = (a: RequestCounts, b: RequestCounts): RequestCounts => ({
  writeRequests: a.writeRequests + b.writeRequests,
  readRequests: a.readRequests + b.readRequests,
  writeUnits: a.writeUnits + b.writeUnits,
  readUnits: a.readUnits + b.readUnits,
});

const WRITE_COMMANDS = /^(PutItem|UpdateItem|DeleteItem|Put|Update|Delete)Command$/;
const READ_COMMANDS = /^(GetItem|Get|Query|Scan)Command$/;

const ConsumedCapacityOutput = z.looseObject({
  ConsumedCapacity: z.looseObject({ CapacityUnits: z.number() }).optional(),
});

/**
 * Counts every request a DynamoDB document client sends, and the capacity units DynamoDB
 * reports for it: a middleware asks for `ReturnConsumedCapacity: TOTAL` (which changes
 * nothing else) and reads the answer. A conditional write that fails still consumes write
 * units; it is counted as one. The table has no secondary index, so the table's units are
 * all the units.
 */
export const countDynamoDbRequests = (client: DynamoDBDocumentClient): RequestCounter => {
  const counts = { ...ZERO_COUNTS };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isWrite = WRITE_COMMANDS.test(command);
      const isRead = READ_COMMANDS.test(command);
      if (!isWrite && !isRead) return next(args);
      if (isWrite) counts.writeRequests += 1;
      else counts.readRequests += 1;
      let units = 1;
      try {
        const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
        const output = ConsumedCapacityOutput.safeParse(result.output);
        units = (output.success ? output.data.ConsumedCapacity?.CapacityUnits : undefined) ?? 1;
        return result;
      } finally {
        if (isWrite) counts.writeUnits += units;
        else counts.readUnits += units;
      }
    },
    { step: 'initialize', name: 'benchRequestCounter', override: true },
  );
  return { snapshot: () => ({ ...counts }) };
};
