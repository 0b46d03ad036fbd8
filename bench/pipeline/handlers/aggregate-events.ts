/**
 * Benchmark entry point: the deployed aggregation handler (functions/aggregate-events),
 * unchanged, with its DynamoDB document client's requests counted and every invocation
 * reported to the benchmark. Bundled and run by the ESM emulator like the real function.
 */
import { handler as aggregateEvents } from '../../../functions/aggregate-events/handler.ts';
import { documentClient } from '../../../functions/commons/clients/dynamodb.ts';
import { measured } from '../measured-handler.ts';
import { countDynamoDbRequests } from '../request-counter.ts';
import { config } from './config.ts';

/** The aggregation handler, measured. */
export const handler = measured(aggregateEvents, config.scenario, countDynamoDbRequests(documentClient));
