/**
 * Reads a function's response under ReportBatchItemFailures.
 *
 * `{ batchItemFailures: [{ itemIdentifier: { partition: "topic-0", offset: 42 } }] }`: Lambda
 * resumes each listed partition from its lowest failed offset. An empty or null response
 * means success; an identifier that names no record of the batch fails the whole batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 * (that page spells the partition field "topic-partition"; Powertools and the SDK types
 * use "partition" — both are accepted.)
 */
import { z } from 'zod';
import type { Batch } from './batch-planner.ts';

const Offset = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

const ItemIdentifier = z.union([
  z
    .looseObject({ partition: z.string(), offset: Offset })
    .transform((id) => ({ key: id.partition, offset: id.offset })),
  z
    .looseObject({ 'topic-partition': z.string(), offset: Offset })
    .transform((id) => ({ key: id['topic-partition'], offset: id.offset })),
]);

const BatchResponse = z.union([
  z.null(),
  z.undefined(),
  z.looseObject({
    batchItemFailures: z.array(z.looseObject({ itemIdentifier: ItemIdentifier })).nullish(),
  }),
]);

/** How the response reads. */
export type BatchItemFailuresVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly lowestFailedOffset: ReadonlyMap<string, number> }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Interprets a response against the batch it answers. */
export const readBatchItemFailures = (response: unknown, batch: Batch): BatchItemFailuresVerdict => {
  const parsed = BatchResponse.safeParse(response);
  if (!parsed.success) {
    return { kind: 'invalid', reason: 'the response is not a { batchItemFailures: [...] } object' };
  }
  const failures = parsed.data?.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: 'success' };

  const offsets = new Map<string, Set<number>>();
  for (const part of batch.parts) offsets.set(part.key, new Set(part.records.map((r) => r.source.offset)));

  const lowest = new Map<string, number>();
  for (const { itemIdentifier } of failures) {
    const { key, offset } = itemIdentifier;
    if (!offsets.get(key)?.has(offset)) {
      return { kind: 'invalid', reason: `itemIdentifier ${key}@${offset} is not a record of the batch` };
    }
    lowest.set(key, Math.min(lowest.get(key) ?? offset, offset));
  }
  return { kind: 'partial', lowestFailedOffset: lowest };
};
