import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { decodeTopPages, SessionSketch } from '../../../services/aggregation/index.ts';
import { topPageRow } from '../../unit/aggregation/fakes.ts';
import { FUNNEL_ATTRIBUTE_OF_TYPE, type ReferenceTotals } from '../../unit/aggregation/reference-totals.ts';

const number = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * Everything the analytics table holds, in the shape of the unit tests' reference totals.
 * A Scan is fine for a test table; the application itself only uses GetItem and Query.
 */
export const scannedTotals = async (
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<ReferenceTotals> => {
  const totals: ReferenceTotals = {
    pages: new Map(),
    funnels: new Map(),
    sessions: new Map(),
    topPages: new Map(),
  };
  const sketches = new Map<string, SessionSketch>();
  const typeOfAttribute = new Map(
    Object.entries(FUNNEL_ATTRIBUTE_OF_TYPE).map(([type, name]) => [name, type]),
  );
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const minute = String(item.minute);
      if (item.entity === 'PageStats') {
        totals.pages.set(`${item.path} ${minute}`, {
          views: number(item.views),
          clicks: number(item.clicks),
          addToCarts: number(item.addToCarts),
          purchases: number(item.purchases),
          revenueCents: number(item.revenueCents),
        });
      } else if (item.entity === 'Funnel') {
        const funnel: Record<string, number> = { revenueCents: 0 };
        for (const [name, type] of typeOfAttribute) {
          if (number(item[name]) !== 0) funnel[type] = number(item[name]);
        }
        totals.funnels.set(minute, funnel);
      } else if (item.entity === 'SessionSketch') {
        const sketch = SessionSketch.fromBytes(item.sketch as Uint8Array);
        sketches.set(minute, (sketches.get(minute) ?? SessionSketch.empty()).union(sketch));
      } else if (item.entity === 'TopPages') {
        totals.topPages.set(minute, decodeTopPages(String(item.pages)).map(topPageRow));
      } else {
        throw new Error(`unexpected item ${item.pk} ${item.sk}`);
      }
    }
  }
  for (const [minute, sketch] of sketches)
    totals.sessions.set(minute, Buffer.from(sketch.toBytes()).toString('hex'));
  return totals;
};
