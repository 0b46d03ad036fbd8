import { describe, expect, it } from 'vitest';
import { stripJsonComments } from '../../../emulators/ksql/qtt/qtt-file.ts';

describe('reading a qtt file', () => {
  it('drops // and /* */ comments as Jackson ALLOW_COMMENTS does, but not inside strings', () => {
    const text = `{
      // a line comment
      "a": "http://x/*y*/", /* a block
      comment */ "b": "say \\"//\\"" // end
    }`;

    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: 'http://x/*y*/', b: 'say "//"' });
  });
});
