import { hash } from 'node:crypto';

/** A name-based UUID namespace of this project's derived events (a random v4 UUID, fixed forever). */
export const ENRICHMENT_NAMESPACE = 'cec13bd5-b618-49ee-841c-c2781c5e6f32';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A version-5 (SHA-1, name-based) UUID, RFC 9562 section 5.5: the same namespace and name
 * always give the same id, so a consumer can drop an event it has already seen.
 */
export const uuidV5 = (name: string, namespace: string): string => {
  if (!UUID.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`);
  return uuidV5In(namespaceBytes(namespace), name);
};

const namespaceBytes = (namespace: string): Buffer => Buffer.from(namespace.replaceAll('-', ''), 'hex');

const uuidV5In = (namespace: Buffer, name: string): string => {
  const bytes = hash('sha1', Buffer.concat([namespace, Buffer.from(name, 'utf8')]), 'buffer').subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const ENRICHMENT_NAMESPACE_BYTES = namespaceBytes(ENRICHMENT_NAMESPACE);

/**
 * The id of an event derived from one session: a function of the event type, the user and
 * the session's start only. A retried batch therefore re-sends the same ids, and so does a
 * later row of the same session (a session that grows keeps its start; only its end moves).
 */
export const sessionEventId = (eventType: string, userId: string, windowStart: number): string =>
  uuidV5In(ENRICHMENT_NAMESPACE_BYTES, `${eventType}\n${userId}\n${windowStart}`);
