/**
 * Worker-thread entry: runs a {@link ClickstreamSimulation} and answers each request for
 * `count` records with one packed chunk (see {@link PackedChunk}), its value bytes in a
 * single transferred ArrayBuffer, so nothing is copied per record between threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ClickstreamSimulation, type SimulationOptions } from './simulation.ts';
import { KIND_CODES, type PackedChunk } from './worker-source.ts';

const port = parentPort;
if (port === null) throw new Error('generator-worker.ts runs as a worker thread only');
const simulation = new ClickstreamSimulation(workerData as SimulationOptions);

// Roomy enough for a typical chunk (events are ~600 B); grown when a chunk needs more.
const BYTES_PER_RECORD = 768;

port.on('message', (count: number) => {
  let values = Buffer.allocUnsafeSlow(count * BYTES_PER_RECORD);
  let offset = 0;
  const keys: string[] = new Array(count);
  const lengths = new Uint32Array(count);
  const timestamps = new Float64Array(count);
  const kinds = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const record = simulation.nextText();
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (offset + record.text.length * 3 > values.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * values.length, offset + record.text.length * 3));
      values.copy(grown, 0, 0, offset);
      values = grown;
    }
    const written = values.write(record.text, offset, 'utf8');
    offset += written;
    keys[i] = record.key;
    lengths[i] = written;
    timestamps[i] = record.timestamp;
    kinds[i] = KIND_CODES.indexOf(record.kind);
  }
  // Unpooled (allocUnsafeSlow), so the whole ArrayBuffer is this chunk's and can move.
  const chunk: PackedChunk = {
    keys,
    values: values.buffer,
    lengths,
    timestamps,
    kinds,
    stats: simulation.stats,
  };
  port.postMessage(chunk, [values.buffer, lengths.buffer, timestamps.buffer, kinds.buffer]);
});
