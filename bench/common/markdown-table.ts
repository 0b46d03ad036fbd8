/** A cell of a results table: text as is, numbers already formatted by the caller. */
export type Cell = string | number;

/**
 * Renders a GitHub-flavoured markdown table, columns padded so the raw text reads well
 * too. Pipes inside cells are escaped.
 */
export const markdownTable = (headers: readonly string[], rows: readonly (readonly Cell[])[]): string => {
  const text = (cell: Cell | undefined): string => String(cell ?? '').replaceAll('|', '\\|');
  const all = [headers.map(text), ...rows.map((row) => headers.map((_, i) => text(row[i])))];
  const widths = headers.map((_, i) => Math.max(3, ...all.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head ?? []), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
};
