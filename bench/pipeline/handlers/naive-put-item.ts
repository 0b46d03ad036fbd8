/**
 * Benchmark entry point: the naive alternative the aggregation is measured against — one
 * PutItem per event (the raw event stored under `EVENT#<eventId>`), no aggregation. Same
 * document client, decoding and write concurrency as the real handler. Benchmark-only.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { config as functionConfig } from '../../../functions/aggregate-events/config.ts';
import { documentClient } from '../../../functions/commons/clients/dynamodb.ts';
import { runWithConcurrency } from '../../../services/aggregation/concurrency.ts';
import { decodeEvent } from '../../../services/clickstream/index.ts';
import { sourceRecordsOf } from '../../../services/kafka/esm-event.ts';
import { measured } from '../measured-handler.ts';
import { countDynamoDbRequests } from '../request-counter.ts';
import { config } from './config.ts';

const counter = countDynamoDbRequests(documentClient);

const putEachEvent = async (event: unknown): Promise<void> => {
  const tasks = sourceRecordsOf(event).map((record) => async () => {
    const decoded = decodeEvent(record.value);
    await documentClient.send(
      new PutCommand({
        TableName: functionConfig.analyticsTable,
        Item: { pk: `EVENT#${decoded.eventId}`, sk: 'EVENT', ...decoded },
      }),
    );
  });
  await runWithConcurrency(tasks, functionConfig.writeConcurrency);
};

/** One PutItem per event, measured. */
export const handler = measured(putEachEvent, config.scenario, counter);
