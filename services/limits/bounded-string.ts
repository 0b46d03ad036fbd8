import { createHash } from 'node:crypto';
import { utf8Bytes } from './sink-limits.ts';

/**
 * The project's one rule for strings that reach a sink: they are made well-formed first,
 * each lone surrogate replaced by U+FFFD. That is what a UTF-8 encoder writes for one anyway
 * (DynamoDB, Kafka, and Avro values, which cannot carry one at all), so two strings that differ
 * only in lone surrogates are the same string in every store; making it explicit before keying
 * means the code counts them as the one string the stores see, never as two that collide.
 */
export const wellFormed = (value: string): string => value.replace(LONE_SURROGATE, '\uFFFD');

// With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * The longest prefix of `value` of at most `maxBytes` UTF-8 bytes, cut between code points
 * (never inside a character, so the prefix's bytes are exactly its own).
 */
export const utf8Prefix = (value: string, maxBytes: number): string => {
  if (utf8Bytes(value) <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Bytes(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
};

/** A hex SHA-256 digest of a string's UTF-8 bytes (well-formed first) or of raw bytes. */
export const sha256Hex = (value: string | Uint8Array): string =>
  createHash('sha256')
    .update(typeof value === 'string' ? wellFormed(value) : value)
    .digest('hex');

/** Hex digits of the digest a long key part keeps: 128 bits, collisions out of reach. */
const KEY_DIGEST_CHARS = 32;

/** The separator between a long key part's readable prefix and its digest. */
export const KEY_DIGEST_SEPARATOR = '~';

/** How every digested key part ends; a value that ends so itself is digested too. */
const DIGESTED = /~[0-9a-f]{32}$/;

/**
 * A key part of at most `maxBytes` UTF-8 bytes that names `value` uniquely: the value itself
 * (made well-formed) when it fits, else a readable prefix, {@link KEY_DIGEST_SEPARATOR} and a
 * digest of the whole value. A value that already ends like a digested part is digested as
 * well, so a short value crafted to look like a long one's key cannot take that key. The
 * readable value itself is kept as a (bounded) attribute of the item, not in the key.
 */
export const boundedKeyPart = (value: string, maxBytes: number): string => {
  const text = wellFormed(value);
  if (utf8Bytes(text) <= maxBytes && !DIGESTED.test(text)) return text;
  const digest = sha256Hex(text).slice(0, KEY_DIGEST_CHARS);
  const room = maxBytes - KEY_DIGEST_SEPARATOR.length - KEY_DIGEST_CHARS;
  if (room < 0) throw new RangeError(`a key part needs at least ${maxBytes - room} bytes, not ${maxBytes}`);
  const prefix = utf8Prefix(text, room);
  return `${prefix}${KEY_DIGEST_SEPARATOR}${digest}`;
};
