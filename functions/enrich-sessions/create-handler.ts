import { type EnrichmentDependencies, enrichSessionBatch } from '../../services/enrichment/index.ts';
import {
  type KafkaBatchHandler,
  type KafkaBatchHandlerOptions,
  kafkaBatchHandler,
} from '../commons/kafka-batch-handler.ts';

/**
 * The function's handler over its dependencies, without building any: handler.ts passes the
 * instance's real clients (built once, at module load); a test passes fakes and invokes it
 * with an event shaped as AWS sends it (test/fixtures/events/).
 */
export const createHandler = (
  dependencies: EnrichmentDependencies,
  options?: KafkaBatchHandlerOptions,
): KafkaBatchHandler => kafkaBatchHandler((records) => enrichSessionBatch(records, dependencies), options);
