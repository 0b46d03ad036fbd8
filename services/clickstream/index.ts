export {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  decodeEvent,
  type EventTimeBounds,
  encodeEvent,
  eventKey,
  MAX_EVENT_BYTES,
  type ValueEncoding,
  valueEncodingOf,
} from './codec.ts';
export { ClickstreamError, DecodeFailure, EventDecodeError } from './errors.ts';
export {
  type ClickstreamEvent,
  ClickstreamEventSchema,
  EVENT_TYPES,
  EventType,
  linesRevenueCents,
  MAX_ORDER_CENTS,
  MAX_ORDER_LINES,
  type Order,
  type OrderLine,
  OrderLineSchema,
  OrderSchema,
  orderOf,
  PRODUCT_EVENT_TYPES,
  SCHEMA_VERSION,
  toCents,
} from './event.ts';
