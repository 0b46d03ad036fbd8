/**
 * The latency benchmark's function: at handler start, writes each record's
 * produce→handler-start delay (now − the record's Kafka CreateTime, set by the producer)
 * to $LATENCY_FILE, one number a line. Decodes the payload as the real functions do.
 */
import { appendFileSync } from 'node:fs';
import { sourceRecordsOf } from '../../services/kafka/esm-event.ts';

const latencyFile = process.env.LATENCY_FILE ?? '';
if (latencyFile === '') throw new Error('LATENCY_FILE is required');

export const handler = async (event: unknown): Promise<void> => {
  const startedAt = Date.now();
  const delays = sourceRecordsOf(event).map((record) => startedAt - record.timestamp);
  if (delays.length > 0) appendFileSync(latencyFile, `${delays.join('\n')}\n`);
};
