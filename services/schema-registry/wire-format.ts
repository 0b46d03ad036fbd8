/**
 * The Confluent Schema Registry wire format of a serialized key or value: magic byte 0, the
 * schema id as a 4-byte big-endian integer, then the Avro binary
 * (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
 */

/** The magic byte that starts every framed value. */
export const MAGIC_BYTE = 0;
/** Magic byte + schema id. */
export const HEADER_BYTES = 5;

/** `payload` framed with `schemaId`. */
export const frame = (schemaId: number, payload: Buffer): Buffer => {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`a schema id is a non-negative 32-bit integer, got ${schemaId}`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
};

/** A framed value split, or why the bytes are not one. */
export type Unframed =
  | { readonly ok: true; readonly schemaId: number; readonly payload: Buffer }
  | { readonly ok: false; readonly reason: string };

/** Splits a framed value into its schema id and payload. Total: never throws. */
export const unframe = (bytes: Buffer | null): Unframed => {
  if (bytes === null || bytes.length === 0) return { ok: false, reason: 'no bytes' };
  if (bytes.length < HEADER_BYTES)
    return { ok: false, reason: `${bytes.length} bytes is shorter than the 5-byte header` };
  if (bytes[0] !== MAGIC_BYTE) return { ok: false, reason: `magic byte ${bytes[0]} is not 0` };
  return { ok: true, schemaId: bytes.readInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
};
