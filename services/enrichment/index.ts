export { CachingProfileReader, type CachingProfileReaderOptions } from './caching-profile-reader.ts';
export {
  type EnrichmentDependencies,
  EnrichmentMetric,
  type EnrichmentSummary,
  type EnrichmentTopics,
  enrichSessionBatch,
  type ProfileReader,
} from './enrich-sessions.ts';
export {
  type CartAbandoned,
  CartAbandonedSchema,
  cartAbandonedOf,
  deriveFacts,
  describeSession,
  ENRICHED_SCHEMA_VERSION,
  EnrichedEventType,
  type EnrichedSession,
  EnrichedSessionSchema,
  enrichSession,
  type SessionFacts,
  UNKNOWN_SEGMENT,
  withProfile,
} from './enriched-session.ts';
export {
  EnrichedEventPublishError,
  EnrichmentError,
  SessionDecodeError,
  SessionDecodeFailure,
} from './errors.ts';
export { ENRICHMENT_NAMESPACE, sessionEventId, uuidV5 } from './event-id.ts';
export { LineageHeader, lineageHeaders } from './lineage.ts';
export { decodeSessionKey, encodeSessionKey, type SessionKey } from './session-key.ts';
export { type DecodedSessionRecord, decodeSessionRecord, type Session } from './session-record.ts';
export { type SessionRow, SessionRowSchema } from './session-row.ts';
export { type ClientInfo, DeviceClass, parseUserAgent, UserAgentParser } from './user-agent.ts';
