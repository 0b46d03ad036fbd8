import fc from 'fast-check';
import {
  EVENT_TYPES,
  MAX_EVENT_TIME,
  MAX_ORDER_LINES,
  orderOf,
  SCHEMA_VERSION,
} from '../../../services/clickstream/event.ts';

/**
 * fast-check arbitraries of what the aggregation's event source mapping may deliver: valid
 * clickstream events, events with one field pushed past its bounds, JSON that is no event,
 * bytes that are no JSON, and records whose event-source-mapping fields are themselves wrong
 * (invalid base64, header bytes out of range, NO_TIMESTAMP_TYPE, an unknown timestamp type).
 * Every record has coordinates (topic, partition, offset), as every record AWS sends does.
 */

/** 2026-03-14T09:26:00Z, the reference instant of the generated records. */
export const FUZZ_BASE_TIME = Date.parse('2026-03-14T09:26:00Z');
const DAY = 86_400_000;

const PRODUCT_TYPES = new Set(['add_to_cart', 'remove_from_cart']);

const priceArb = fc.oneof(
  fc.integer({ min: 0, max: 100_000_000 }).map((cents) => cents / 100),
  fc.double({ min: 0, max: 1_000_000, noNaN: true }),
);

/** An order of one to {@link MAX_ORDER_LINES} lines, one per product, its totals derived. */
const orderArb = fc
  .uniqueArray(
    fc.record({
      productId: fc.string({ minLength: 1, maxLength: 64 }),
      quantity: fc.integer({ min: 1, max: 1000 }),
      unitPrice: priceArb,
    }),
    { minLength: 1, maxLength: MAX_ORDER_LINES, selector: (line) => line.productId },
  )
  .map(orderOf);

const productArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 64 }),
  category: fc.string({ minLength: 1, maxLength: 64 }),
  price: priceArb,
  quantity: fc.integer({ min: 1, max: 1000 }),
});

/** A valid event (as a plain object), near {@link FUZZ_BASE_TIME} or anywhere up to year 9999. */
export const validEventArb = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    eventId: fc.uuid({ version: 4 }),
    userId: fc.string({ minLength: 1, maxLength: 64 }),
    sessionId: fc.string({ minLength: 1, maxLength: 64 }),
    eventTime: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: FUZZ_BASE_TIME - 8 * DAY, max: FUZZ_BASE_TIME + 2 * DAY }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_EVENT_TIME }) },
    ),
    path: fc.string({ maxLength: 100 }).map((rest) => `/${rest}`),
    title: fc.string({ maxLength: 512 }),
    referrer: fc.option(fc.string({ maxLength: 200 })),
    product: productArb,
    order: orderArb,
    query: fc.string({ maxLength: 256 }),
    userAgent: fc.string({ minLength: 1, maxLength: 300 }),
    ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    utm: fc.record({
      source: fc.option(fc.string({ maxLength: 128 })),
      medium: fc.option(fc.string({ maxLength: 128 })),
      campaign: fc.option(fc.string({ maxLength: 128 })),
    }),
  })
  .map((e) => ({
    schemaVersion: SCHEMA_VERSION,
    eventId: e.eventId,
    type: e.type,
    userId: e.userId,
    sessionId: e.sessionId,
    eventTime: e.eventTime,
    page: { path: e.path, title: e.title, referrer: e.referrer },
    product: PRODUCT_TYPES.has(e.type) ? e.product : null,
    order: e.type === 'purchase' ? e.order : null,
    query: e.type === 'search' ? e.query : null,
    userAgent: e.userAgent,
    ip: e.ip,
    utm: e.utm,
  }));

/** Values past the bounds of some field, and JSON's own oddities. */
const extremeValueArb = fc.oneof(
  fc.constantFrom(8.64e15, 8.64e15 + 1, MAX_EVENT_TIME + 1, -1, -0, 1.5, 2 ** 53, Number.MAX_VALUE, 1e21),
  fc.constantFrom(null, true, '', '0', [], {}),
  fc.string({ minLength: 1000, maxLength: 3000 }),
  fc.double(),
  fc.jsonValue(),
);

const FIELD_PATHS = [
  ['schemaVersion'],
  ['eventId'],
  ['type'],
  ['userId'],
  ['sessionId'],
  ['eventTime'],
  ['page'],
  ['page', 'path'],
  ['page', 'title'],
  ['product'],
  ['product', 'price'],
  ['product', 'quantity'],
  ['product', 'id'],
  ['order'],
  ['order', 'lines'],
  ['order', 'quantity'],
  ['order', 'revenue'],
  ['query'],
  ['userAgent'],
  ['ip'],
  ['utm', 'source'],
] as const;

/** A valid event with one field replaced by an extreme value, or removed. */
const mutatedEventArb = fc
  .tuple(validEventArb, fc.constantFrom(...FIELD_PATHS), fc.option(extremeValueArb))
  .map(([event, path, value]) => {
    const copy: Record<string, unknown> = structuredClone(event);
    let target: Record<string, unknown> = copy;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (typeof next !== 'object' || next === null) return copy;
      target = next as Record<string, unknown>;
    }
    const last = path[path.length - 1] as string;
    if (value === null) delete target[last];
    else target[last] = value;
    return copy;
  });

/** JSON text whose number literals overflow a double (`1e400` parses to Infinity). */
const overflowingJsonArb = validEventArb.map((event) =>
  JSON.stringify(event).replace(/"eventTime":\d+/, '"eventTime":1e400'),
);

/** A record value: the bytes of an event, of something else, or nothing. */
export const valueBytesArb: fc.Arbitrary<Buffer | null> = fc.oneof(
  { weight: 6, arbitrary: validEventArb.map((event) => Buffer.from(JSON.stringify(event))) },
  { weight: 4, arbitrary: mutatedEventArb.map((event) => Buffer.from(JSON.stringify(event))) },
  { weight: 1, arbitrary: overflowingJsonArb.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.jsonValue().map((json) => Buffer.from(JSON.stringify(json) ?? 'null')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(20_000, 0x20)) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A base64 field: well-formed, or of an invalid length or alphabet. */
const base64FieldArb = (bytes: Buffer | null): fc.Arbitrary<string | null | undefined> =>
  bytes === null
    ? fc.constantFrom(undefined, null)
    : fc.oneof(
        { weight: 12, arbitrary: fc.constant(bytes.toString('base64')) },
        { weight: 1, arbitrary: fc.constant(`${bytes.toString('base64')}A`) },
        { weight: 1, arbitrary: fc.constant(bytes.toString('base64url')) },
        { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      );

const headersArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant([] as Array<Record<string, number[]>>) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.dictionary(
        fc.string({ maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
        {
          maxKeys: 2,
        },
      ),
      { maxLength: 3 },
    ),
  },
  { weight: 1, arbitrary: fc.constant([{ bad: [256, -1, 1.5] }]) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A record of the event source mapping payload, with coordinates; other fields may be wrong. */
export const esmRecordArb = (topic: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      partition: fc.integer({ min: 0, max: 2 }),
      offset: fc.integer({ min: 0, max: 40 }),
      timestamp: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: FUZZ_BASE_TIME - DAY, max: FUZZ_BASE_TIME + DAY }) },
        { weight: 1, arbitrary: fc.constantFrom(-1, 0, 8.64e15, Number.MAX_SAFE_INTEGER) },
        { weight: 1, arbitrary: fc.constantFrom(1.5, Number.NaN, '1700000000000') },
      ),
      timestampType: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('CREATE_TIME', 'LOG_APPEND_TIME') },
        { weight: 2, arbitrary: fc.constant('NO_TIMESTAMP_TYPE') },
        { weight: 1, arbitrary: fc.constantFrom('create_time', '', 7) },
      ),
      value: valueBytesArb,
      headers: headersArb,
    })
    .chain((record) =>
      fc
        .record({
          key: base64FieldArb(Buffer.from('user-1')),
          value: base64FieldArb(record.value),
        })
        .map(({ key, value }) => {
          const out: Record<string, unknown> = {
            topic,
            partition: record.partition,
            offset: record.offset,
            timestamp: record.timestamp,
            timestampType: record.timestampType,
            headers: record.headers,
          };
          if (key !== undefined) out.key = key;
          if (value !== undefined) out.value = value;
          return out;
        }),
    );

/**
 * A whole event source mapping payload of up to `maxRecords` records (self-managed or MSK),
 * grouped by topic-partition as AWS groups them; offsets may repeat (a redelivered record).
 */
export const esmEventArb = (topic = 'clickstream-events', maxRecords = 12): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.array(esmRecordArb(topic), { minLength: 0, maxLength: maxRecords }), fc.boolean())
    .map(([records, msk]) => {
      const grouped: Record<string, unknown[]> = {};
      // The mapping delivers each partition in offset order.
      const ordered = [...records].sort(
        (a, b) => Number(a.partition) - Number(b.partition) || Number(a.offset) - Number(b.offset),
      );
      for (const record of ordered) {
        const key = `${topic}-${String(record.partition)}`;
        const group = grouped[key] ?? [];
        group.push(record);
        grouped[key] = group;
      }
      return msk
        ? {
            eventSource: 'aws:kafka',
            eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/fuzz/1',
            bootstrapServers: 'b-1:9092',
            records: grouped,
          }
        : { eventSource: 'SelfManagedKafka', bootstrapServers: '127.0.0.1:9092', records: grouped };
    });

/** A path of the schema's shape that stresses a sink: long, multibyte, with lone surrogates. */
const hardPathArb = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 900, maxLength: 2047 }),
    fc.string({ unit: 'grapheme', minLength: 300, maxLength: 600 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('s\ud800', 's\udc00', 's\ufffd', `${'a'.repeat(1019)}`, `${'é'.repeat(1000)}`),
  )
  .map((rest) => `/${rest}`.slice(0, 2048));

/** The largest order the schema accepts: MAX_ORDER_LINES lines of 1,000 units at 1,000,000.00. */
const maxOrder = orderOf(
  Array.from({ length: MAX_ORDER_LINES }, (_, i) => ({
    productId: `p-${i}`,
    quantity: 1000,
    unitPrice: 1_000_000,
  })),
);

/**
 * A flood on one partition and one minute, what an attacker sends to reach a sink's limits:
 * many distinct hard pages (buckets fill, overflow items with long keys), or maximum orders on
 * one page (revenue past 2^53 cents), or both mixed. Every record is a valid event.
 */
export const floodEventArb = (topic = 'clickstream-events', maxRecords = 2500): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      fc.constantFrom('pages', 'orders', 'mixed'),
      fc.integer({ min: 50, max: maxRecords }),
      fc.array(hardPathArb, { minLength: 1, maxLength: 60 }),
      validEventArb,
    )
    .map(([kind, count, paths, template]) => {
      const records = Array.from({ length: count }, (_, offset) => {
        const order = kind === 'orders' || (kind === 'mixed' && offset % 2 === 0);
        const path = order ? '/checkout/complete' : (paths[offset % paths.length] ?? '/');
        const event = {
          ...template,
          eventId: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
          type: order ? 'purchase' : 'page_view',
          eventTime: FUZZ_BASE_TIME + (offset % 60_000),
          page: { ...template.page, path },
          product: null,
          order: order ? maxOrder : null,
          query: null,
        };
        return {
          topic,
          partition: 0,
          offset,
          timestamp: FUZZ_BASE_TIME + 30_000,
          timestampType: 'CREATE_TIME',
          key: Buffer.from('user-1').toString('base64'),
          value: Buffer.from(JSON.stringify(event)).toString('base64'),
          headers: [],
        };
      });
      return {
        eventSource: 'SelfManagedKafka',
        bootstrapServers: '127.0.0.1:9092',
        records: { [`${topic}-0`]: records },
      };
    });
