/**
 * ksqlDB's "magic" timestamps in filters: in a WHERE or HAVING, a string literal compared with
 * ROWTIME, WINDOWSTART or WINDOWEND (`=`, `<`, …, BETWEEN) is read as a timestamp and replaced by
 * its epoch milliseconds (confluentinc/ksql: engine/rewrite/StatementRewriteForMagicPseudoTimestamp,
 * applied by analyzer/FilterTypeValidator; parsing by util/timestamp/PartialStringToTimestampParser).
 */
import type { Expr } from './ast.ts';
import { KsqlStatementError } from './errors.ts';

const TIME_COLUMNS = new Set(['ROWTIME', 'WINDOWSTART', 'WINDOWEND']);
const TIME_PATTERN = 'HH:mm:ss.SSS';

/** `yyyy[-MM[-dd]][THH[:mm[:ss[.SSS]]]][Z|+hhmm|-hhmm]`, missing parts completed, UTC by default. */
export function parsePartialTimestamp(text: string): number {
  let date = text;
  let time = '';
  let zone = '';
  const t = text.indexOf('T');
  if (t >= 0) {
    date = text.slice(0, t);
    const rest = text.slice(t + 1);
    const sign = rest.search(/[+-]/);
    zone = sign >= 0 ? rest.slice(sign) : '';
    time = rest.slice(0, rest.length - zone.length).replace(/Z$/, '');
  } else {
    const parts = date.split('-').length;
    date = parts === 1 ? `${date}-01-01` : parts === 2 ? `${date}-01` : date;
  }
  if (time.length < TIME_PATTERN.length) time += TIME_PATTERN.slice(time.length).replace(/[a-zA-Z]/g, '0');
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const h = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(time);
  const z = zone === '' ? ['', '+', '00', '00'] : /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (d === null || h === null || z === null) {
    throw new KsqlStatementError(
      `Failed to parse timestamp '${text}': Text '${date}T${time}' could not be parsed. Required format is: "yyyy-MM-dd'T'HH:mm:ss.SSS", with an optional numeric 4-digit timezone`,
    );
  }
  const [, y, mo, da] = d.map(Number) as number[];
  const [, hh, mm, ss, ms] = h.map(Number) as number[];
  const offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  return Date.UTC(y as number, (mo as number) - 1, da, hh, mm, ss, ms) - offset;
}

function isTimeColumn(e: Expr): boolean {
  return e.k === 'column' && TIME_COLUMNS.has(e.name);
}

function asTimestamp(e: Expr): Expr {
  if (e.k !== 'literal' || e.type !== 'STRING') return e;
  return { k: 'literal', pos: e.pos, type: 'BIGINT', value: parsePartialTimestamp(String(e.value)) };
}

/** The filter with every string literal compared to ROWTIME / WINDOWSTART / WINDOWEND made a BIGINT. */
export function rewriteMagicTimestamps(e: Expr): Expr {
  switch (e.k) {
    case 'compare':
      if (isTimeColumn(e.left)) return { ...e, right: asTimestamp(e.right) };
      if (isTimeColumn(e.right)) return { ...e, left: asTimestamp(e.left) };
      return e;
    case 'between':
      return isTimeColumn(e.operand) ? { ...e, low: asTimestamp(e.low), high: asTimestamp(e.high) } : e;
    case 'logical':
      return { ...e, left: rewriteMagicTimestamps(e.left), right: rewriteMagicTimestamps(e.right) };
    case 'not':
      return { ...e, operand: rewriteMagicTimestamps(e.operand) };
    default:
      return e;
  }
}
