import { describe, expect, it } from 'vitest';
import { decodeSessionRecord, SessionDecodeFailure } from '../../../services/enrichment/index.ts';
import {
  aSessionKey,
  aSessionRecord,
  aSessionRow,
  aSessionTombstone,
} from '../../support/factories/session-row.ts';

const failureOf = (record: Parameters<typeof decodeSessionRecord>[0]): string | undefined => {
  const decoded = decodeSessionRecord(record);
  return decoded.kind === 'poison' ? decoded.error.reason : undefined;
};

describe('decodeSessionRecord', () => {
  it('decodes a session row with its key', () => {
    const decoded = decodeSessionRecord(aSessionRecord(aSessionKey({ userId: 'user-7' }), aSessionRow()));

    expect(decoded).toEqual({
      kind: 'session',
      session: { ...aSessionKey({ userId: 'user-7' }), row: aSessionRow() },
    });
  });

  it('reports a null value as a tombstone, whatever its key', () => {
    expect(decodeSessionRecord(aSessionTombstone())).toEqual({ kind: 'tombstone' });
    expect(decodeSessionRecord({ key: null, value: null })).toEqual({ kind: 'tombstone' });
  });

  it('drops columns it does not read, and accepts rows without the optional ones', () => {
    const { REMOVE_FROM_CARTS: _removed, ENTRY_PAGE: _entry, EXIT_PAGE: _exit, ...required } = aSessionRow();
    const value = Buffer.from(JSON.stringify({ ...required, SESSION_START: 1, SESSION_END: 2 }));

    const decoded = decodeSessionRecord({ key: aSessionRecord().key, value });

    expect(decoded).toEqual({ kind: 'session', session: { ...aSessionKey(), row: required } });
  });

  it('names what is wrong with a record it cannot decode', () => {
    const good = aSessionRecord();
    expect(failureOf({ key: null, value: good.value })).toBe(SessionDecodeFailure.KeyMissing);
    expect(failureOf({ key: Buffer.from('user-1'), value: good.value })).toBe(
      SessionDecodeFailure.KeyTooShort,
    );
    expect(failureOf({ key: good.key, value: Buffer.from('{"EVENTS":') })).toBe(
      SessionDecodeFailure.ValueNotJson,
    );
    expect(failureOf({ key: good.key, value: Buffer.from('{"EVENTS":"six"}') })).toBe(
      SessionDecodeFailure.ValueSchemaInvalid,
    );
  });

  it('lists every offending column in the detail', () => {
    const { PURCHASES: _purchases, ...row } = aSessionRow({ EVENTS: 0 });

    const decoded = decodeSessionRecord({
      key: aSessionRecord().key,
      value: Buffer.from(JSON.stringify(row)),
    });

    expect(decoded.kind).toBe('poison');
    if (decoded.kind !== 'poison') return;
    expect(decoded.error.message).toContain('EVENTS');
    expect(decoded.error.message).toContain('PURCHASES');
  });
});
