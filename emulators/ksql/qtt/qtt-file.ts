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
