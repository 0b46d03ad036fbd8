import { z } from 'zod';

const windowSchema = z.object({
  start: z.number(),
  end: z.number(),
  type: z.string(),
});

const recordSchema = z.looseObject({
  topic: z.string(),
  key: z.unknown().optional(),
  value: z.unknown().optional(),
  timestamp: z.number().nullable().optional(),
  window: windowSchema.optional(),
  headers: z.array(z.unknown()).optional(),
});

const caseSchema = z.looseObject({
  name: z.string(),
  statements: z.array(z.string()),
  inputs: z.array(recordSchema).optional(),
  outputs: z.array(recordSchema).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  format: z.array(z.string()).optional(),
  config: z.array(z.string()).optional(),
  versions: z.looseObject({ min: z.string().optional(), max: z.string().optional() }).optional(),
  expectedException: z
    .looseObject({ type: z.string().optional(), message: z.string().optional() })
    .optional(),
  enabled: z.boolean().optional(),
});

/** A ksqlDB query-validation test file (see ../shared/ksql-qtt/README.md). */
export const qttFileSchema = z.looseObject({
  comments: z.array(z.string()).optional(),
  tests: z.array(caseSchema),
});

export type QttFile = z.infer<typeof qttFileSchema>;
export type QttCase = z.infer<typeof caseSchema>;
export type QttRecord = z.infer<typeof recordSchema>;

/**
 * Removes `//` and `/* … *\/` comments outside strings: ksqlDB's harness reads its test files with
 * Jackson's ALLOW_COMMENTS (ksqldb-functional-tests TestJsonMapper), and some files use them.
 */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
