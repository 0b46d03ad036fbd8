import { AppError } from '../../../services/commons/errors.ts';

/**
 * The workshop's convention (docs/workshop/README.md): a fenced block whose info string is
 * `sh runnable` (optionally `timeout=<seconds>`) is a command the workshop test runs, and
 * the HTML comments right after it, `<!-- expect: text -->` or `<!-- expect: /regex/flags -->`,
 * say what its output must contain.
 *
 * Figures: `<!-- capture: name /regex/ -->` (or `/regex/ exact` for a figure the run's inputs
 * fix) after a runnable block takes a figure from its
 * output (the regex's first group, or the whole match), and the prose quotes it as
 * `<!--fig:name-->value<!--/fig-->` (the comments do not render). The test compares every
 * quoted value with what the run printed; `WORKSHOP_UPDATE=1` rewrites them from the run.
 */

/** What a block's output (stdout and stderr together) must contain. */
export type Expectation =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'regex'; readonly pattern: RegExp };

/** A figure a block's output yields: its name and where to find it. */
export interface Capture {
  readonly name: string;
  readonly pattern: RegExp;
  /**
   * `exact` after the regex: the figure is fixed by the run's inputs (a seed, a count, a
   * setting), so a quoted value that differs fails the test; other figures depend on timing
   * (batching, scaling) and their drift is reported.
   */
  readonly exact: boolean;
}

/** One runnable block of a workshop module. */
export interface RunnableBlock {
  /** The module's file name, e.g. `03-esm-and-batching.md`. */
  readonly module: string;
  /** 1-based position among the module's runnable blocks. */
  readonly index: number;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  readonly timeoutSeconds: number;
  readonly expectations: readonly Expectation[];
  readonly captures: readonly Capture[];
}

/** A module that breaks the convention: the message names the file and the line. */
export class WorkshopFormatError extends AppError {
  readonly code: string = 'WORKSHOP_FORMAT';
}

/** Seconds a runnable block may take when its info string does not say. */
export const DEFAULT_BLOCK_TIMEOUT_SECONDS = 60;

const SHELLS = new Set(['sh', 'bash', 'shell']);
const FENCE = /^(`{3,}|~{3,})\s*(.*)$/;
const EXPECT = /^<!--\s*expect:\s*(.*?)\s*-->\s*$/;
const CAPTURE = /^<!--\s*capture:\s*([a-z][a-z0-9-]*)\s+(.*?)\s*-->\s*$/;
const REGEX_LITERAL = /^\/(.+)\/([imsu]*)$/;

const parseExpectation = (value: string, where: string): Expectation => {
  if (value === '') throw new WorkshopFormatError(`${where}: an empty expect marker`);
  const literal = REGEX_LITERAL.exec(value);
  if (literal === null) return { kind: 'text', text: value };
  try {
    return { kind: 'regex', pattern: new RegExp(literal[1] ?? '', literal[2]) };
  } catch (error) {
    throw new WorkshopFormatError(`${where}: invalid regular expression ${value}`, { cause: error });
  }
};

const EXACT = /\s+exact$/;

const parseCapture = (marker: RegExpExecArray, where: string): Capture => {
  const value = marker[2] ?? '';
  const exact = EXACT.test(value);
  const expectation = parseExpectation(value.replace(EXACT, ''), where);
  if (expectation.kind !== 'regex') {
    throw new WorkshopFormatError(`${where}: a capture marker needs a /regular expression/`);
  }
  return { name: marker[1] ?? '', pattern: expectation.pattern, exact };
};

const parseInfo = (words: readonly string[], where: string): number => {
  let timeoutSeconds = DEFAULT_BLOCK_TIMEOUT_SECONDS;
  for (const word of words.slice(1)) {
    if (word === 'runnable') continue;
    const timeout = /^timeout=(\d+)$/.exec(word);
    if (timeout === null) {
      throw new WorkshopFormatError(`${where}: unknown word "${word}" in a runnable block's info string`);
    }
    timeoutSeconds = Number(timeout[1]);
  }
  return timeoutSeconds;
};

/**
 * Extracts the runnable blocks of one module, in order.
 *
 * @throws {WorkshopFormatError} for an unclosed fence, an unknown info word or an invalid
 *   regular expression, naming the module and the line.
 */
export const extractRunnableBlocks = (markdown: string, module: string): RunnableBlock[] => {
  const lines = markdown.split(/\r?\n/);
  const blocks: RunnableBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) {
      i += 1;
      continue;
    }
    const fence = open[1] ?? '```';
    const words = (open[2] ?? '').trim().split(/\s+/).filter(Boolean);
    const openingLine = i + 1;
    const where = `${module}:${openingLine}`;
    const body: string[] = [];
    i += 1;
    const closes = (line: string) =>
      line.trimEnd().startsWith(fence) && line.trim().replaceAll(fence.charAt(0), '') === '';
    while (i < lines.length && !closes(lines[i] ?? '')) {
      body.push(lines[i] ?? '');
      i += 1;
    }
    if (i >= lines.length) throw new WorkshopFormatError(`${where}: the fence opened here is never closed`);
    i += 1;
    const runnable = SHELLS.has(words[0] ?? '') && words.includes('runnable');
    if (!runnable) continue;
    const timeoutSeconds = parseInfo(words, where);
    const expectations: Expectation[] = [];
    const captures: Capture[] = [];
    while (i < lines.length) {
      const line = lines[i] ?? '';
      const marker = EXPECT.exec(line);
      const capture = CAPTURE.exec(line);
      if (marker !== null) expectations.push(parseExpectation(marker[1] ?? '', `${module}:${i + 1}`));
      else if (capture !== null) captures.push(parseCapture(capture, `${module}:${i + 1}`));
      else if (line.trim() !== '') break;
      i += 1;
    }
    blocks.push({
      module,
      index: blocks.length + 1,
      line: openingLine,
      code: body.join('\n'),
      timeoutSeconds,
      expectations,
      captures,
    });
  }
  return blocks;
};

/** The expectations an output does not meet (none: the block's output is as the text says). */
export const unmetExpectations = (block: RunnableBlock, output: string): Expectation[] =>
  block.expectations.filter((expectation) =>
    expectation.kind === 'text' ? !output.includes(expectation.text) : !expectation.pattern.test(output),
  );

/** An expectation as the module spells it. */
export const describeExpectation = (expectation: Expectation): string =>
  expectation.kind === 'text' ? JSON.stringify(expectation.text) : String(expectation.pattern);

/** The figure a capture takes from an output, or undefined when the output lacks it. */
export const captureFrom = (capture: Capture, output: string): string | undefined => {
  const match = capture.pattern.exec(output);
  return match === null ? undefined : (match[1] ?? match[0]);
};

/** A figure the prose quotes: `<!--fig:name-->value<!--/fig-->`. */
export interface QuotedFigure {
  readonly name: string;
  readonly value: string;
  /** 1-based line. */
  readonly line: number;
}

const FIGURE = /<!--fig:([a-z][a-z0-9-]*)-->(.*?)<!--\/fig-->/g;

/** Every figure a module quotes, in order. */
export const quotedFigures = (markdown: string): QuotedFigure[] =>
  markdown.split(/\r?\n/).flatMap((text, index) =>
    [...text.matchAll(FIGURE)].map((match) => ({
      name: match[1] ?? '',
      value: match[2] ?? '',
      line: index + 1,
    })),
  );

/** The module with every quoted figure replaced by the run's value (those it has). */
export const withFigures = (markdown: string, values: ReadonlyMap<string, string>): string =>
  markdown.replaceAll(FIGURE, (whole, name: string) => {
    const value = values.get(name);
    return value === undefined ? whole : `<!--fig:${name}-->${value}<!--/fig-->`;
  });
