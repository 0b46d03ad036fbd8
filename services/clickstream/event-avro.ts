import avsc from 'avsc';
import { type ClickstreamEvent, ClickstreamEventSchema, EVENT_TYPES } from './event.ts';

/**
 * The clickstream event (event.ts) as an Avro record: the schema the load generator registers
 * under `<topic>-value` for `--format avro`, and the reader schema of a function that receives
 * an Avro value (EventRecordFormat SOURCE). Same field names, same nullability; the rules Avro
 * cannot say (a purchase has an order, bounds, formats) stay in {@link ClickstreamEventSchema},
 * which every decoded value still passes.
 */
const nullable = (type: unknown) => ['null', type];

export const CLICKSTREAM_EVENT_AVRO_SCHEMA = {
  type: 'record',
  name: 'ClickstreamEvent',
  namespace: 'clickstream',
  fields: [
    { name: 'schemaVersion', type: 'int' },
    { name: 'eventId', type: 'string' },
    { name: 'type', type: { type: 'enum', name: 'EventType', symbols: [...EVENT_TYPES] } },
    { name: 'userId', type: 'string' },
    { name: 'sessionId', type: 'string' },
    { name: 'eventTime', type: 'long' },
    {
      name: 'page',
      type: {
        type: 'record',
        name: 'Page',
        fields: [
          { name: 'path', type: 'string' },
          { name: 'title', type: 'string' },
          { name: 'referrer', type: nullable('string') },
        ],
      },
    },
    {
      name: 'product',
      type: nullable({
        type: 'record',
        name: 'Product',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'category', type: 'string' },
          { name: 'price', type: 'double' },
          { name: 'quantity', type: 'int' },
        ],
      }),
    },
    {
      name: 'order',
      type: nullable({
        type: 'record',
        name: 'Order',
        fields: [
          {
            name: 'lines',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'OrderLine',
                fields: [
                  { name: 'productId', type: 'string' },
                  { name: 'quantity', type: 'int' },
                  { name: 'unitPrice', type: 'double' },
                ],
              },
            },
          },
          { name: 'quantity', type: 'int' },
          { name: 'revenue', type: 'double' },
        ],
      }),
    },
    { name: 'query', type: nullable('string') },
    { name: 'userAgent', type: 'string' },
    { name: 'ip', type: 'string' },
    {
      name: 'utm',
      type: {
        type: 'record',
        name: 'Utm',
        fields: [
          { name: 'source', type: nullable('string') },
          { name: 'medium', type: nullable('string') },
          { name: 'campaign', type: nullable('string') },
        ],
      },
    },
  ],
} as const;

/** The compiled schema, built once. */
export const clickstreamEventAvroType = avsc.Type.forSchema(
  CLICKSTREAM_EVENT_AVRO_SCHEMA as unknown as avsc.Schema,
);

/** An event as Avro binary (no Confluent header; see services/schema-registry/wire-format.ts). */
export const encodeEventAvro = (event: ClickstreamEvent): Buffer => clickstreamEventAvroType.toBuffer(event);

/**
 * An Avro-decoded value as plain JSON data: Avro records decode to class instances, JSON
 * round-tripping gives the plain object a JSON delivery carries.
 */
export const avroToJson = (type: avsc.Type, bytes: Buffer): unknown =>
  JSON.parse(JSON.stringify(type.fromBuffer(bytes)));

/** The zod schema the decoded record must still pass (re-exported for one import). */
export { ClickstreamEventSchema };
