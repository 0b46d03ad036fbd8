import type { SourceRecord } from '../kafka/record.ts';
import { SessionDecodeError, SessionDecodeFailure } from './errors.ts';
import { decodeSessionKey, type SessionKey } from './session-key.ts';
import { type SessionRow, SessionRowSchema } from './session-row.ts';

/** A closed session as ksqlDB reported it: its key (user and window) and its aggregates. */
export interface Session extends SessionKey {
  readonly row: SessionRow;
}

/** What one record on the user-sessions topic turned out to be. */
export type DecodedSessionRecord =
  /**
   * A null value. When a new event joins two sessions of a user, ksqlDB (Kafka Streams'
   * session aggregation) deletes the rows of the merged sessions by writing tombstones
   * under their old keys; a tombstone is never a session to enrich.
   */
  | { readonly kind: 'tombstone' }
  | { readonly kind: 'session'; readonly session: Session }
  | { readonly kind: 'poison'; readonly error: SessionDecodeError };

const parseJson = (value: Buffer): unknown => {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new SessionDecodeError(SessionDecodeFailure.ValueNotJson, 'the value is not JSON', {
      cause: error,
    });
  }
};

const decode = (record: Pick<SourceRecord, 'key' | 'value'>): DecodedSessionRecord => {
  if (record.value === null) return { kind: 'tombstone' };
  if (record.key === null) {
    throw new SessionDecodeError(SessionDecodeFailure.KeyMissing, 'the record has a value but no key');
  }
  const key = decodeSessionKey(record.key);
  const parsed = SessionRowSchema.safeParse(parseJson(record.value));
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`)
      .join('; ');
    throw new SessionDecodeError(
      SessionDecodeFailure.ValueSchemaInvalid,
      `the value is not a session row: ${detail}`,
      {
        cause: parsed.error,
      },
    );
  }
  return { kind: 'session', session: { ...key, row: parsed.data } };
};

/** Decodes one record of the user-sessions topic; never throws. */
export const decodeSessionRecord = (record: Pick<SourceRecord, 'key' | 'value'>): DecodedSessionRecord => {
  try {
    return decode(record);
  } catch (error) {
    if (error instanceof SessionDecodeError) return { kind: 'poison', error };
    throw error;
  }
};
