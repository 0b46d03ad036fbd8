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

port.on('message', (count: number) => {
  const records = simulation.take(count);
  const size = records.reduce((sum, record) => sum + record.value.length, 0);
  const values = new Uint8Array(new ArrayBuffer(size));
  const lengths = new Uint32Array(count);
  const timestamps = new Float64Array(count);
  const kinds = new Uint8Array(count);
  let offset = 0;
  records.forEach((record, i) => {
    values.set(record.value, offset);
    offset += record.value.length;
    lengths[i] = record.value.length;
    timestamps[i] = record.timestamp;
    kinds[i] = KIND_CODES.indexOf(record.kind);
  });
  const chunk: PackedChunk = {
    keys: records.map((record) => record.key),
    values: values.buffer,
    lengths,
    timestamps,
    kinds,
    stats: simulation.stats,
  };
  port.postMessage(chunk, [values.buffer, lengths.buffer, timestamps.buffer, kinds.buffer]);
});
