import { describe, expect, it } from 'vitest';
import { readPeekConfig } from '../../../docs/workshop/tools/config.ts';
import { WorkshopToolError } from '../../../docs/workshop/tools/errors.ts';
import {
  conservation,
  summarizeBatchLogs,
  summarizePollerLogs,
  tallyDeadLetters,
  tallyEvents,
  tallySessions,
} from '../../../docs/workshop/tools/pipeline-report.ts';
import { encodeEvent } from '../../../services/clickstream/index.ts';
import { DeadLetterHeader } from '../../../services/dead-letter/index.ts';
import { aClickstreamEvent } from '../../support/factories/clickstream-event.ts';

const deadLetter = (offset: number, reason: string) => ({
  headers: {
    [DeadLetterHeader.Reason]: reason,
    [DeadLetterHeader.Detail]: `detail of ${offset}`,
    [DeadLetterHeader.SourceTopic]: 'clickstream-events',
    [DeadLetterHeader.SourcePartition]: '2',
    [DeadLetterHeader.SourceOffset]: String(offset),
  },
});

describe('tallyEvents', () => {
  it('classifies values as the aggregation function does and spans the valid event times', () => {
    // Prepare
    const values = [
      encodeEvent(aClickstreamEvent({ eventTime: 1_000 })),
      encodeEvent(aClickstreamEvent({ eventTime: 5_000 })),
      Buffer.from('{"eventId":'),
      Buffer.from(JSON.stringify({ hello: 'world' })),
      Buffer.alloc(17 * 1024, 'x'),
      null,
    ];

    // Act
    const tally = tallyEvents(values);

    // Assert
    expect(tally).toEqual({
      records: 6,
      valid: 2,
      poison: { MALFORMED_JSON: 1, SCHEMA_INVALID: 1, OVERSIZED: 1, EMPTY_VALUE: 1 },
      eventTimes: { first: 1_000, last: 5_000 },
    });
  });

  it('has no event times when no value is a valid event', () => {
    // Act
    const tally = tallyEvents([Buffer.from('not json')]);

    // Assert
    expect(tally.eventTimes).toBeUndefined();
    expect(tally.valid).toBe(0);
  });
});

describe('tallyDeadLetters', () => {
  it('counts a source record dead-lettered twice once, and groups by reason with an example', () => {
    // Prepare: offset 7 was dead-lettered by a batch that failed afterwards, then again by its retry
    const letters = [deadLetter(7, 'OVERSIZED'), deadLetter(7, 'OVERSIZED'), deadLetter(9, 'MALFORMED_JSON')];

    // Act
    const tally = tallyDeadLetters(letters);

    // Assert
    expect(tally.letters).toBe(3);
    expect(tally.distinctSources).toBe(2);
    expect(tally.byReason).toEqual({
      OVERSIZED: { count: 2, example: 'clickstream-events-2@7: detail of 7' },
      MALFORMED_JSON: { count: 1, example: 'clickstream-events-2@9: detail of 9' },
    });
  });
});

describe('conservation', () => {
  const events = tallyEvents([encodeEvent(aClickstreamEvent()), Buffer.from('{')]);

  it('holds when every valid event is counted and every poison record has a dead letter', () => {
    // Act
    const books = conservation(events, 1, tallyDeadLetters([deadLetter(1, 'MALFORMED_JSON')]));

    // Assert
    expect(books).toEqual({ valid: 1, counted: 1, poison: 1, deadLetters: 1, conserved: true });
  });

  it('fails when an event is counted twice', () => {
    // Act
    const books = conservation(events, 2, tallyDeadLetters([deadLetter(1, 'MALFORMED_JSON')]));

    // Assert
    expect(books.conserved).toBe(false);
  });

  it('fails when a poison record has no dead letter', () => {
    // Act
    const books = conservation(events, 1, tallyDeadLetters([]));

    // Assert
    expect(books.conserved).toBe(false);
  });
});

describe('summarizeBatchLogs', () => {
  it('adds up the "batch aggregated" lines and counts failed batches, skipping everything else', () => {
    // Prepare: what the emulator's output holds, function log lines and its own lines mixed
    const batch = (records: number, alreadyApplied: number) =>
      JSON.stringify({
        level: 'INFO',
        message: 'batch aggregated',
        function_name: 'clickstream-local-aggregate-events',
        records,
        events: records - 1,
        duplicates: 0,
        poison: 1,
        counterItems: 10,
        sessionSketches: 1,
        pageBuckets: 8,
        overflowRecords: 0,
        itemsAlreadyApplied: alreadyApplied,
        watermarkConflicts: alreadyApplied + 1,
        mergeConflicts: 0,
        writeRequests: 11,
        readRequests: alreadyApplied + 1,
        writeUnits: 12,
        readUnits: alreadyApplied + 2,
      });
    const lines = [
      'resolving serverless.yml (serverless print)…',
      batch(500, 0),
      JSON.stringify({
        level: 'ERROR',
        message: 'batch failed; the event source mapping will retry it',
        function_name: 'clickstream-local-aggregate-events',
      }),
      JSON.stringify({ level: 'WARN', message: 'batch failed', service: 'esm-emulator', function: 'x' }),
      '{"_aws":{"Timestamp":1},"DynamoDBWriteRequests":11}',
      batch(300, 4),
      '{ not json',
      'aggregate-events ← clickstream-events  lag 0  invocations 3',
    ];

    // Act
    const summary = summarizeBatchLogs(lines);

    // Assert
    expect(summary).toEqual({
      succeeded: 2,
      failed: 1,
      records: 800,
      meanBatch: 400,
      maxBatch: 500,
      writeRequests: 22,
      readRequests: 6,
      writeUnits: 24,
      readUnits: 8,
      itemsAlreadyApplied: 4,
      watermarkConflicts: 6,
    });
  });
});

describe('readPeekConfig', () => {
  const stack = {
    pid: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    kafkaBrokers: ['127.0.0.1:9092'],
    dynamodbEndpoint: 'http://127.0.0.1:8000',
    tables: { analytics: 'clickstream-local-analytics', userProfiles: 'clickstream-local-user-profiles' },
    launched: { kafka: true, dynamodb: true },
  };

  it("reads the running stack's endpoints when no variable is set", () => {
    // Act
    const config = readPeekConfig({}, stack);

    // Assert
    expect(config).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      analyticsTable: 'clickstream-local-analytics',
    });
  });

  it('lets the variables win over the stack', () => {
    // Act
    const config = readPeekConfig(
      { KAFKA_BROKERS: 'a:1,b:2', DYNAMODB_ENDPOINT: 'http://db:8000', ANALYTICS_TABLE: 'mine' },
      stack,
    );

    // Assert
    expect(config).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      dynamodbEndpoint: 'http://db:8000',
      analyticsTable: 'mine',
    });
  });

  it('names the malformed variable', () => {
    // Act + Assert
    expect(() => readPeekConfig({ KAFKA_BROKERS: 'no port' }, stack)).toThrow(
      /KAFKA_BROKERS must be host:port/,
    );
  });

  it('says how to get a broker when there is neither a stack nor KAFKA_BROKERS', () => {
    // Act + Assert
    expect(() => readPeekConfig({}, undefined)).toThrow(WorkshopToolError);
    expect(() => readPeekConfig({}, undefined)).toThrow(/npm run stack -- up/);
  });
});

describe('tallySessions', () => {
  const enriched = (eventId: string) => Buffer.from(JSON.stringify({ eventId, type: 'session_enriched' }));

  it('skips tombstones and counts a redelivered enriched session once', () => {
    // Act
    const tally = tallySessions(
      [Buffer.from('{"EVENTS":3}'), null, Buffer.from('{"EVENTS":1}')],
      [enriched('a'), enriched('b'), enriched('a')],
      1,
    );

    // Assert
    expect(tally).toEqual({ closed: 2, enriched: 2, duplicates: 1, cartAbandoned: 1, conserved: true });
  });

  it('fails when a closed session was not enriched', () => {
    // Act
    const tally = tallySessions(
      [Buffer.from('{"EVENTS":3}'), Buffer.from('{"EVENTS":1}')],
      [enriched('a')],
      0,
    );

    // Assert
    expect(tally.conserved).toBe(false);
  });
});

describe('summarizePollerLogs', () => {
  const line = (seconds: number, pollers: number, pendingPollers: number | undefined, reason: string) =>
    JSON.stringify({
      level: 'INFO',
      message: 'event pollers scaled',
      timestamp: new Date(Date.UTC(2026, 11, 7, 3, 0, seconds)).toISOString(),
      service: 'esm-emulator',
      function: 'aggregate-events',
      pollers,
      ...(pendingPollers === undefined ? {} : { pendingPollers }),
      reason,
    });

  it('reads a scale-out and a scale-in, skipping every other line', () => {
    const summary = summarizePollerLogs([
      'plain text',
      '{"message":"batch aggregated","records":3}',
      line(10, 1, 2, 'lag-high'),
      line(12, 2, undefined, 'steady'),
      '{not json',
      line(40, 2, 1, 'lag-low'),
      line(42, 1, undefined, 'steady'),
    ]);

    expect(summary.steps.map((step) => [step.atSeconds, step.pollers, step.pending, step.reason])).toEqual([
      [0, 1, 2, 'lag-high'],
      [2, 2, undefined, 'steady'],
      [30, 2, 1, 'lag-low'],
      [32, 1, undefined, 'steady'],
    ]);
    expect(summary).toMatchObject({ peak: 2, last: 1, scaledOut: true, scaledIn: true });
  });

  it('says one poller, never scaled, for a log without scaling lines', () => {
    expect(summarizePollerLogs(['{"message":"batch aggregated"}'])).toEqual({
      steps: [],
      peak: 1,
      last: 1,
      pending: undefined,
      scaledOut: false,
      scaledIn: false,
    });
  });
});
