/**
 * Publishes the MetricsConfig metrics of every mapping (emulators/esm/mapping-metrics.ts) once
 * an interval — one minute by default, CloudWatch's standard resolution — as CloudWatch
 * embedded metric format documents: on the emulator's log (where CloudWatch would extract
 * them) and, when a file is given, one JSON line each in that file, for the dashboard.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ToolLog } from '../../tooling/logger.ts';
import { type EmfDocument, type MappingCounters, metricsDocument, ZERO_COUNTERS } from './mapping-metrics.ts';
import type { MappingPoller } from './poller.ts';
import type { EventSourceMapping } from './serverless-config.ts';

export interface MetricsPublisherOptions {
  readonly pollers: ReadonlyArray<{ readonly mapping: EventSourceMapping; readonly poller: MappingPoller }>;
  readonly log: ToolLog;
  /** JSON-lines file the documents are appended to (created with its directory). */
  readonly file?: string | undefined;
  readonly intervalMs?: number;
}

/** One minute: the period Lambda publishes its metrics at. */
export const DEFAULT_METRICS_INTERVAL_MS = 60_000;

/** Publishes on a timer; {@link flush} publishes the interval so far (e.g. on stop). */
export class MetricsPublisher {
  readonly #options: MetricsPublisherOptions;
  readonly #previous = new Map<string, MappingCounters>();
  #latest: EmfDocument[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MetricsPublisherOptions) {
    this.#options = options;
    if (options.file !== undefined) mkdirSync(dirname(options.file), { recursive: true });
  }

  start(): void {
    if (!this.#options.pollers.some(({ mapping }) => mapping.metrics.length > 0)) return;
    this.#timer = setInterval(() => this.flush(), this.#options.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#timer !== undefined) this.flush();
    this.#timer = undefined;
  }

  /** The documents of the last interval published, one per mapping with MetricsConfig. */
  latest(): readonly EmfDocument[] {
    return this.#latest;
  }

  flush(): void {
    const documents: EmfDocument[] = [];
    for (const { mapping, poller } of this.#options.pollers) {
      const current = poller.metricsCounters();
      const stats = poller.stats();
      const document = metricsDocument({
        timestamp: Date.now(),
        uuid: mapping.uuid,
        functionName: stats.functionName,
        groups: mapping.metrics,
        current,
        previous: this.#previous.get(mapping.uuid) ?? ZERO_COUNTERS,
        lagByPartition: stats.lagByPartition,
        provisionedPollers: mapping.scalingMode === 'provisioned' ? stats.pollers : undefined,
      });
      this.#previous.set(mapping.uuid, current);
      if (document !== undefined) documents.push(document);
    }
    this.#latest = documents;
    for (const document of documents) {
      this.#options.log.info('event source mapping metrics', document);
      if (this.#options.file !== undefined)
        appendFileSync(this.#options.file, `${JSON.stringify(document)}\n`);
    }
  }
}
