/**
 * What the function has seen of each record: how many invocations carried it and the request
 * id of the last one. The on-failure record of a record given up on reports both
 * (`requestContext.approximateInvokeCount`, `requestContext.requestId`:
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html), so they are
 * counted per record: bisected halves and partial-failure retries carry different records a
 * different number of times.
 */
import type { SourceRecord } from '../../services/kafka/record.ts';

/** A record's invocations so far. */
export interface DeliveryHistory {
  readonly invocations: number;
  /** Undefined while no invocation has carried the record. */
  readonly lastRequestId: string | undefined;
}

/** Per-record invocation counts, forgotten with the records themselves. */
export class DeliveryLedger {
  readonly #entries = new WeakMap<SourceRecord, { invocations: number; lastRequestId: string }>();

  /** One invocation, `requestId`, carried `records`. */
  invoked(records: Iterable<SourceRecord>, requestId: string): void {
    for (const record of records) {
      const entry = this.#entries.get(record);
      if (entry === undefined) this.#entries.set(record, { invocations: 1, lastRequestId: requestId });
      else {
        entry.invocations += 1;
        entry.lastRequestId = requestId;
      }
    }
  }

  of(record: SourceRecord): DeliveryHistory {
    const entry = this.#entries.get(record);
    return { invocations: entry?.invocations ?? 0, lastRequestId: entry?.lastRequestId };
  }
}
