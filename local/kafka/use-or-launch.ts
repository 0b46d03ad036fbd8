import { type KafkaConnection, plaintextConnection } from '../../services/kafka/connection.ts';
import { type StartKafkaOptions, startKafka } from './launcher.ts';

/** The Kafka a tool runs against, and how to let go of it. */
export interface UsedKafka {
  readonly connection: KafkaConnection;
  /** True when the broker was launched here (and `stop` stops it). */
  readonly launched: boolean;
  stop(): Promise<void>;
}

/**
 * "Launch a broker unless one is named", written once: the cluster the resolver found
 * (tooling/endpoints.ts: KAFKA_BROKERS, else the running stack's), else a single-node KRaft
 * broker launched for this process.
 */
export const useOrLaunchKafka = async (
  named: (KafkaConnection & { readonly source?: string }) | undefined,
  options: StartKafkaOptions = {},
): Promise<UsedKafka> => {
  if (named !== undefined) {
    options.log?.(
      `using the Kafka cluster at ${named.brokers.join(',')} (${named.source ?? 'KAFKA_BROKERS'})`,
    );
    return { connection: named, launched: false, stop: async () => {} };
  }
  const cluster = await startKafka(options);
  return { connection: plaintextConnection(cluster.brokers), launched: true, stop: cluster.stop };
};
