import { describe, expect, it } from 'vitest';
import {
  logStreamName,
  SystemEventType,
  SystemLog,
  type SystemLogLevel,
  type SystemLogRecord,
} from '../../../emulators/esm/system-log.ts';

const UUID = '0b5c6e3e-1111-5222-a333-444455556666';
const ARN = `arn:aws:lambda:eu-west-1:000000000000:event-source-mapping:${UUID}`;

const logAt = (level: SystemLogLevel | undefined) => {
  const records: SystemLogRecord[] = [];
  const log = new SystemLog({
    level,
    uuid: UUID,
    eventSourceMappingArn: ARN,
    write: (record) => records.push(record),
    now: () => new Date('2026-12-07T23:59:59.500Z'),
  });
  log.debug(SystemEventType.Processing, 'batch invoked', { records: 10 });
  log.info(SystemEventType.PollerStatus, 'event pollers scaled', { pollers: 2 });
  log.warn(SystemEventType.KafkaStatus, 'offset commit failed');
  return records;
};

describe('SystemLog', () => {
  it('writes the selected level and the less detailed ones: DEBUG all, INFO no DEBUG, WARN only WARN', () => {
    expect(logAt('DEBUG').map((r) => r.logLevel)).toEqual(['DEBUG', 'INFO', 'WARN']);
    expect(logAt('INFO').map((r) => r.logLevel)).toEqual(['INFO', 'WARN']);
    expect(logAt('WARN').map((r) => r.logLevel)).toEqual(['WARN']);
  });

  it('writes nothing without LoggingConfig', () => {
    expect(logAt(undefined)).toEqual([]);
  });

  it("puts each record in the mapping's own stream, named by date and mapping UUID", () => {
    const [record] = logAt('DEBUG');
    expect(record).toEqual({
      timestamp: '2026-12-07T23:59:59.500Z',
      logStream: `2026/12/07/${UUID}`,
      logLevel: 'DEBUG',
      eventType: 'ESM_PROCESSING_EVENT',
      eventSourceMappingArn: ARN,
      message: 'batch invoked',
      records: 10,
    });
    expect(logStreamName(UUID, new Date('2027-01-02T00:00:00Z'))).toBe(`2027/01/02/${UUID}`);
  });
});
