import { Worker } from 'node:worker_threads';
import { RecordKind } from './bad-records.ts';
import type { OutgoingRecord } from './kafka-sender.ts';
import type { RecordSource } from './paced-run.ts';
import type { SimulationOptions, SimulationStats } from './simulation.ts';

/** Record kinds by their one-byte code in a {@link PackedChunk}. */
export const KIND_CODES: readonly RecordKind[] = [
  RecordKind.Valid,
  RecordKind.MalformedJson,
  RecordKind.SchemaInvalid,
  RecordKind.Oversized,
];

/** A run of records as the worker sends them: columns, values back to back. */
export interface PackedChunk {
  keys: string[];
  values: ArrayBuffer;
  lengths: Uint32Array;
  timestamps: Float64Array;
  kinds: Uint8Array;
  stats: SimulationStats;
}

/**
 * The simulation on its own thread, read ahead by up to two chunks. The producer's thread
 * (kafkajs encodes, checksums and frames every record in JavaScript) then spends nothing
 * on building events; the order of records is exactly the simulation's.
 */
export class WorkerRecordSource implements RecordSource {
  readonly #worker: Worker;
  readonly #chunkSize: number;
  readonly #ready: OutgoingRecord[][] = [];
  readonly #requested: Array<{ resolve: (chunk: PackedChunk) => void; reject: (error: Error) => void }> = [];
  #readyCount = 0;
  #head = 0;
  #stats: SimulationStats = { humanSessions: 0, botSessions: 0, slippedMs: 0 };
  #failure: Error | undefined;
  readonly #inFlight: Array<Promise<void>> = [];

  constructor(options: SimulationOptions, chunkSize: number) {
    this.#chunkSize = chunkSize;
    this.#worker = startWorker(options);
    this.#worker.on('message', (chunk: PackedChunk) => this.#requested.shift()?.resolve(chunk));
    // A crashed worker never answers: fail whoever waits, and every later request.
    this.#worker.on('error', (error) => {
      this.#failure = error;
      for (const request of this.#requested.splice(0)) request.reject(error);
    });
  }

  /** Simulation counters as of the last chunk received. */
  get stats(): SimulationStats {
    return this.#stats;
  }

  /** Resolves once the worker has started and delivered its first chunk (start-up is not run time). */
  async ready(): Promise<void> {
    this.#prefetch(this.#chunkSize);
    await this.#nextChunk();
  }

  async take(count: number): Promise<OutgoingRecord[]> {
    while (this.#readyCount < count) {
      this.#prefetch(count);
      await this.#nextChunk();
    }
    this.#prefetch(count);
    const out: OutgoingRecord[] = [];
    while (out.length < count) {
      const chunk = this.#ready[0] as OutgoingRecord[];
      const take = Math.min(count - out.length, chunk.length - this.#head);
      for (let i = 0; i < take; i++) out.push(chunk[this.#head + i] as OutgoingRecord);
      this.#head += take;
      if (this.#head === chunk.length) {
        this.#ready.shift();
        this.#head = 0;
      }
    }
    this.#readyCount -= count;
    return out;
  }

  /** Stops the worker thread. */
  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  /** Keeps enough chunks requested to cover `wanted` records plus a chunk of read-ahead. */
  #prefetch(wanted: number): void {
    const target = Math.max(2 * this.#chunkSize, wanted + this.#chunkSize);
    while (this.#readyCount + this.#inFlight.length * this.#chunkSize < target) {
      const arrival = new Promise<PackedChunk>((resolve, reject) => {
        if (this.#failure !== undefined) reject(this.#failure);
        else this.#requested.push({ resolve, reject });
      });
      this.#worker.postMessage(this.#chunkSize);
      const landed = arrival.then((chunk) => {
        this.#stats = chunk.stats;
        const records = unpack(chunk);
        this.#ready.push(records);
        this.#readyCount += records.length;
        this.#inFlight.shift();
      });
      this.#inFlight.push(landed);
    }
  }

  async #nextChunk(): Promise<void> {
    await this.#inFlight[0];
  }
}

/**
 * Starts generator-worker. Run from source (tsx), a worker thread does not inherit the
 * main thread's TypeScript loader on Node 20, so a one-line bootstrap loads the worker
 * through tsx's API; a bundled build starts the plain .js file.
 */
// Live visits survive many young-generation collections; a roomier young generation
// cuts the garbage collector's share of the worker's time.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 64 };

const startWorker = (options: SimulationOptions): Worker => {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./generator-worker.js', import.meta.url), {
      workerData: options,
      resourceLimits: WORKER_LIMITS,
    });
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./generator-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData: options, resourceLimits: WORKER_LIMITS });
};

const unpack = (chunk: PackedChunk): OutgoingRecord[] => {
  const records: OutgoingRecord[] = new Array(chunk.keys.length);
  let offset = 0;
  for (let i = 0; i < chunk.keys.length; i++) {
    const length = chunk.lengths[i] as number;
    records[i] = {
      key: chunk.keys[i] as string,
      value: Buffer.from(chunk.values, offset, length),
      timestamp: String(chunk.timestamps[i]),
      kind: KIND_CODES[chunk.kinds[i] as number] as RecordKind,
    };
    offset += length;
  }
  return records;
};
