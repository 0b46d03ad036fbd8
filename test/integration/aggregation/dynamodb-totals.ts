import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { decodeTopPages, SessionSketch } from '../../../services/aggregation/index.ts';
import type { ReferenceTotals } from '../../unit/aggregation/reference-totals.ts';
import { StoredTotals } from '../../unit/aggregation/stored-totals.ts';

/**
 * Everything the analytics table holds, in the shape of the unit tests' reference totals.
 * A Scan is fine for a test table; the application itself only uses GetItem and Query.
 */
export const scannedTotals = async (
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<ReferenceTotals> => {
  const totals = new StoredTotals();
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const minute = String(item.minute);
      if (item.entity === 'PageStats') totals.page(String(item.path), minute, item);
      else if (item.entity === 'Funnel') totals.funnel(minute, item);
      else if (item.entity === 'SessionSketch')
        totals.sketch(minute, SessionSketch.fromBytes(item.sketch as Uint8Array));
      else if (item.entity === 'TopPages') totals.topPages(minute, decodeTopPages(String(item.pages)));
      else throw new Error(`unexpected item ${item.pk} ${item.sk}`);
    }
  }
  return totals.build();
};
