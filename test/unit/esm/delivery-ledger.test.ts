import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../../../emulators/esm/delivery-ledger.ts';
import type { SourceRecord } from '../../../services/kafka/record.ts';

const record = (offset: number): SourceRecord => ({
  topic: 'clicks',
  partition: 0,
  offset,
  timestamp: 0,
  timestampType: 'CREATE_TIME',
  key: null,
  value: Buffer.from('{}'),
  headers: [],
});

describe('DeliveryLedger', () => {
  it('counts the invocations that carried each record and keeps the last request id', () => {
    // Prepare: a batch of two fails twice, then only its second half is retried (bisection).
    const ledger = new DeliveryLedger();
    const [first, second] = [record(0), record(1)];

    // Act
    ledger.invoked([first, second], 'r1');
    ledger.invoked([first, second], 'r2');
    ledger.invoked([second], 'r3');

    // Assert
    expect(ledger.of(first)).toEqual({ invocations: 2, lastRequestId: 'r2' });
    expect(ledger.of(second)).toEqual({ invocations: 3, lastRequestId: 'r3' });
    expect(ledger.of(record(2))).toEqual({ invocations: 0, lastRequestId: undefined });
  });
});
