import { describe, expect, it } from 'vitest';
import {
  captureFrom,
  DEFAULT_BLOCK_TIMEOUT_SECONDS,
  extractRunnableBlocks,
  quotedFigures,
  unmetExpectations,
  WorkshopFormatError,
  withFigures,
} from '../../support/workshop/runnable-blocks.ts';

const fence = '```';

describe('extractRunnableBlocks', () => {
  it('keeps only `sh runnable` blocks, in order, with their line, timeout and expect markers', () => {
    // Prepare
    const markdown = [
      '# Module', // 1
      '', // 2
      `${fence}sh`, // 3: shown, not run
      'npm ci', // 4
      fence, // 5
      '', // 6
      `${fence}sh runnable`, // 7
      'npm run stack -- up', // 8
      fence, // 9
      '', // 10
      '<!-- expect: Kafka brokers -->', // 11
      '<!-- expect: /Tables\\s+clickstream-local-analytics/ -->', // 12
      '', // 13
      `${fence}text`, // 14: output, never run
      'Kafka brokers      127.0.0.1:9092', // 15
      fence, // 16
      `${fence}bash runnable timeout=120`, // 17
      'npm run demo -- --duration 20 --json', // 18
      'echo done', // 19
      fence, // 20
      'Some prose.', // 21
      '<!-- expect: too late, prose came first -->', // 22
    ].join('\n');

    // Act
    const blocks = extractRunnableBlocks(markdown, '01-run-it-locally.md');

    // Assert
    expect(blocks).toEqual([
      {
        module: '01-run-it-locally.md',
        index: 1,
        line: 7,
        code: 'npm run stack -- up',
        timeoutSeconds: DEFAULT_BLOCK_TIMEOUT_SECONDS,
        expectations: [
          { kind: 'text', text: 'Kafka brokers' },
          { kind: 'regex', pattern: /Tables\s+clickstream-local-analytics/ },
        ],
        captures: [],
      },
      {
        module: '01-run-it-locally.md',
        index: 2,
        line: 17,
        code: 'npm run demo -- --duration 20 --json\necho done',
        timeoutSeconds: 120,
        expectations: [],
        captures: [],
      },
    ]);
  });

  it('does not mistake a runnable-looking fence inside a longer fence for a block', () => {
    // Prepare: a four-backtick block showing the convention itself
    const markdown = ['````markdown', `${fence}sh runnable`, 'rm -rf /', fence, '````'].join('\n');

    // Act
    const blocks = extractRunnableBlocks(markdown, 'README.md');

    // Assert
    expect(blocks).toEqual([]);
  });

  it('refuses an unknown word in the info string, naming the module and line', () => {
    // Prepare
    const markdown = ['text', `${fence}sh runnable timeout=`, 'true', fence].join('\n');

    // Act + Assert
    expect(() => extractRunnableBlocks(markdown, '02-x.md')).toThrow(WorkshopFormatError);
    expect(() => extractRunnableBlocks(markdown, '02-x.md')).toThrow(/02-x\.md:2: unknown word "timeout="/);
  });

  it('refuses a fence that is never closed', () => {
    // Act + Assert
    expect(() => extractRunnableBlocks(`${fence}sh runnable\ntrue\n`, '03-x.md')).toThrow(
      /03-x\.md:1: the fence opened here is never closed/,
    );
  });

  it('refuses an invalid regular expression in an expect marker', () => {
    // Prepare
    const markdown = [`${fence}sh runnable`, 'true', fence, '<!-- expect: /(/ -->'].join('\n');

    // Act + Assert
    expect(() => extractRunnableBlocks(markdown, '04-x.md')).toThrow(
      /04-x\.md:4: invalid regular expression/,
    );
  });
});

describe('unmetExpectations', () => {
  const [block] = extractRunnableBlocks(
    [
      `${fence}sh runnable`,
      'npm run demo',
      fence,
      '<!-- expect: "conserved":true -->',
      '<!-- expect: /PASS|OK/ -->',
    ].join('\n'),
    '09-demo.md',
  );

  it('is empty when the output holds every text and matches every pattern', () => {
    // Act + Assert
    expect(block && unmetExpectations(block, '{"produced":10,"conserved":true}\nPASS')).toEqual([]);
  });

  it('lists each expectation the output misses', () => {
    // Act
    const unmet = block && unmetExpectations(block, '{"produced":10,"conserved":false}\nFAIL');

    // Assert
    expect(unmet).toEqual([
      { kind: 'text', text: '"conserved":true' },
      { kind: 'regex', pattern: /PASS|OK/ },
    ]);
  });
});

describe('figures', () => {
  it('captures a figure from a block and finds where the prose quotes it', () => {
    // Prepare
    const markdown = [
      `${fence}sh runnable`,
      'npm run demo -- --json',
      fence,
      '<!-- expect: "conserved":true -->',
      '<!-- capture: closed /"closed":(\\d+)/ -->',
      '',
      'The window closed <!--fig:closed-->665<!--/fig--> sessions.',
    ].join('\n');

    // Act
    const [block] = extractRunnableBlocks(markdown, '01-run-it-locally.md');
    const capture = block?.captures[0];
    const value = capture === undefined ? undefined : captureFrom(capture, '{"sessions":{"closed":687}}');

    // Assert
    expect(capture?.name).toBe('closed');
    expect(value).toBe('687');
    expect(quotedFigures(markdown)).toEqual([{ name: 'closed', value: '665', line: 7 }]);
    expect(withFigures(markdown, new Map([['closed', '687']]))).toContain('<!--fig:closed-->687<!--/fig-->');
  });

  it('tells a figure the inputs fix (exact) from one that depends on timing', () => {
    // Prepare
    const markdown = [
      `${fence}sh runnable`,
      'npm run bench:enrich',
      fence,
      '<!-- capture: connects /connects (\\d+) \\|/ exact -->',
      '<!-- capture: invocations /invocations (\\d+)/ -->',
    ].join('\n');

    // Act
    const [block] = extractRunnableBlocks(markdown, '06-enrichment-loop.md');

    // Assert
    expect(block?.captures.map((c) => [c.name, c.exact])).toEqual([
      ['connects', true],
      ['invocations', false],
    ]);
    const [connects] = block?.captures ?? [];
    expect(connects === undefined ? undefined : captureFrom(connects, 'connects 1 | 5')).toBe('1');
  });

  it('refuses a capture without a regular expression', () => {
    const markdown = [`${fence}sh runnable`, 'true', fence, '<!-- capture: x plain text -->'].join('\n');
    expect(() => extractRunnableBlocks(markdown, 'm.md')).toThrow(WorkshopFormatError);
  });
});
