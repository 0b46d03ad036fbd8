import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import {
  AnalyticsReader,
  decodeBucketPages,
  type Minute,
  SessionSketch,
} from '../../../services/aggregation/index.ts';
import { type ReferenceTotals, topPageRow } from '../../support/aggregation/reference-totals.ts';
import { StoredTotals } from '../../support/aggregation/stored-totals.ts';

/**
 * Everything the analytics table holds, in the shape of the unit tests' reference totals.
 * A Scan is fine for a test table; the application itself only uses GetItem and Query. Top
 * pages are what {@link AnalyticsReader.topPages} answers for each minute, so every
 * conservation check also checks the reader's ranking.
 */
export const scannedTotals = async (
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<ReferenceTotals> => {
  const totals = new StoredTotals();
  const minutes = new Set<string>();
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const minute = String(item.minute);
      if (item.entity === 'PageStats' || item.entity === 'PageBucket') minutes.add(minute);
      if (item.entity === 'PageStats') totals.page(String(item.path), minute, item);
      else if (item.entity === 'PageBucket')
        for (const [path, counts] of decodeBucketPages(String(item.pages))) totals.page(path, minute, counts);
      else if (item.entity === 'Funnel') totals.funnel(minute, item);
      else if (item.entity === 'SessionSketch')
        totals.sketch(minute, SessionSketch.fromBytes(item.sketch as Uint8Array));
      else throw new Error(`unexpected item ${item.pk} ${item.sk}`);
    }
  }
  const reader = new AnalyticsReader(client, tableName);
  for (const minute of minutes) {
    const top = await reader.topPages(minute as Minute, 10);
    totals.topPages(
      minute,
      top.map((page) => topPageRow(page.path, page)),
    );
  }
  return totals.build();
};
