import { describe, expect, it } from 'vitest';
import { sessionEventId, uuidV5 } from '../../../services/enrichment/index.ts';

describe('uuidV5', () => {
  it('matches the reference value for the DNS namespace (as Python uuid.uuid5 computes it)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});

describe('sessionEventId', () => {
  const start = Date.parse('2026-11-25T10:00:00Z');

  it('is the same for the same type, user and session start', () => {
    expect(sessionEventId('session_enriched', 'user-1', start)).toBe(
      sessionEventId('session_enriched', 'user-1', start),
    );
  });

  it('differs when the type, the user or the start differs', () => {
    const ids = new Set([
      sessionEventId('session_enriched', 'user-1', start),
      sessionEventId('cart_abandoned', 'user-1', start),
      sessionEventId('session_enriched', 'user-2', start),
      sessionEventId('session_enriched', 'user-1', start + 1),
    ]);

    expect(ids.size).toBe(4);
  });

  it('is a version-5, RFC 9562 variant UUID', () => {
    expect(sessionEventId('session_enriched', 'user-1', start)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
