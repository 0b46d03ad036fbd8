import { startFlink } from '../flink/launcher.ts';
import { startEmbeddedKsql } from './embedded-ksql.ts';

/**
 * Where the windows run on the laptop: `ksql`, the embedded ksql engine (the default, the
 * talk's path), or `flink`, the same windows in Flink SQL (flink/) on Apache Flink.
 */
export const STATE_ENGINES = ['ksql', 'flink'] as const;
export type StateEngine = (typeof STATE_ENGINES)[number];

export interface StateEngineOptions {
  brokers: readonly string[];
  /** Overrides of the ksql variables (both engines derive their settings from them). */
  variables?: Readonly<Record<string, string>>;
  /** Names the consumer groups (and the embedded engine's changelog). */
  applicationId: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** A running state engine. */
export interface RunningStateEngine {
  readonly engine: StateEngine;
  stop(): Promise<void>;
}

/** Starts the chosen engine on the migrations (ksql/) or the Flink statements (flink/). */
export const startStateEngine = async (
  engine: StateEngine,
  options: StateEngineOptions,
): Promise<RunningStateEngine> => {
  const common = {
    brokers: options.brokers,
    ...(options.variables === undefined ? {} : { variables: options.variables }),
    ...(options.log === undefined ? {} : { log: options.log }),
  };
  const running =
    engine === 'flink'
      ? await startFlink({ ...common, groupId: options.applicationId })
      : await startEmbeddedKsql({ ...common, applicationId: options.applicationId });
  return { engine, stop: running.stop };
};
