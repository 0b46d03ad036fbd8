import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { Attribute, Entity } from '../../services/aggregation/index.ts';

const FunnelEvents = z.looseObject({ events: z.number().int().nonnegative().default(0) });

/**
 * The number of events the analytics table counts: the sum of the per-minute funnel
 * items' `events` counters (every valid event adds one there). Equal to the events
 * produced when nothing was lost or counted twice.
 */
export const countedEvents = async (client: DynamoDBDocumentClient, table: string): Promise<number> => {
  let total = 0;
  const pages = paginateScan(
    { client },
    {
      TableName: table,
      FilterExpression: '#entity = :funnel',
      ExpressionAttributeNames: { '#entity': Attribute.Entity },
      ExpressionAttributeValues: { ':funnel': Entity.Funnel },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) total += FunnelEvents.parse(item).events;
  }
  return total;
};
