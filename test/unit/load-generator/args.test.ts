import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseLoadArgs } from '../../../load-generator/args.ts';
import { UsageError } from '../../../load-generator/errors.ts';
import { rateProfileSpecOf } from '../../../load-generator/rate-profile.ts';

const usageError = (argv: string[]): UsageError => {
  try {
    parseLoadArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
};

describe('parseLoadArgs', () => {
  it('reads a full command line', () => {
    const parsed = parseLoadArgs([
      '--rate',
      '2000',
      '--duration',
      '10',
      '--seed',
      '1',
      '--bad-rate',
      '0.01',
      '--start-time',
      '2025-06-01T12:00:00Z',
      '--topic',
      'my-events',
      '--json',
    ]);

    expect(parsed).toMatchObject({
      help: false,
      options: {
        rate: 2000,
        duration: 10,
        seed: 1,
        badRate: 0.01,
        startTime: Date.parse('2025-06-01T12:00:00Z'),
        topic: 'my-events',
        json: true,
        partitions: 6,
        botShare: 0.05,
      },
    });
  });

  it('accepts epoch milliseconds as a start time', () => {
    const parsed = parseLoadArgs(['--start-time', '1700000000000']);

    expect(parsed.help === false && parsed.options.startTime).toBe(1_700_000_000_000);
  });

  it('reads a burst profile, with its defaults', () => {
    const read = (argv: string[]) => {
      const parsed = parseLoadArgs(argv);
      if (parsed.help) throw new Error('unexpected --help');
      return rateProfileSpecOf(parsed.options);
    };
    expect(read(['--rate', '100'])).toEqual({ rate: 100, burst: undefined });
    expect(read(['--rate', '100', '--burst', '2000'])).toEqual({
      rate: 100,
      burst: { rate: 2000, seconds: 60, everySeconds: 240 },
    });
    expect(read(['--burst', '500', '--burst-seconds', '5', '--burst-every', '20'])).toEqual({
      rate: 100,
      burst: { rate: 500, seconds: 5, everySeconds: 20 },
    });
  });

  it('answers --help', () => {
    expect(parseLoadArgs(['--help'])).toEqual({ help: true });
    expect(parseLoadArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [['--rate', 'fast'], /--rate must be a number/],
    [['--rate', '0'], /--rate must be > 0/],
    [['--events', '1.5'], /--events must be a whole number/],
    [['--bad-rate', '1.5'], /--bad-rate must be ≤ 1/],
    [['--bot-share=-0.1'], /--bot-share must be ≥ 0/],
    [['--duration', '5', '--events', '10'], /not both/],
    [['--start-time', 'yesterday'], /--start-time/],
    [['--topic', 'bad topic'], /--topic/],
    [['--compression', 'zstd'], /--compression must be none or gzip/],
    [['--skip-profiles', '--profiles-only'], /contradicts/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['extra'], /positional/i],
    [['--burst', '0'], /--burst must be > 0/],
    [['--burst-seconds', '10'], /need --burst/],
    [
      ['--burst', '1000', '--burst-seconds', '60', '--burst-every', '60'],
      /--burst-seconds \(60\) must be less than --burst-every \(60\)/,
    ],
    [['--burst', '1000', '--burst-seconds', '300'], /must be less than --burst-every \(240\)/],
  ])('rejects %j', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });
});

describe('npm run load (the command)', () => {
  it('exits 2 with a message and sends nothing on an invalid flag', () => {
    // Prepare: a broker address that must never be contacted.
    const env = { ...process.env, KAFKA_BROKERS: '127.0.0.1:1' };

    // Act
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'load-generator/cli.ts', '--rate', 'fast'],
      {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );

    // Assert
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--rate must be a number');
    expect(result.stderr).not.toContain('cannot reach Kafka');
    expect(result.stdout).toBe('');
  }, 30_000);

  it('prints the help and exits 0', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'load-generator/cli.ts', '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: npm run load');
    expect(result.stdout).toContain('--seed');
  }, 30_000);
});
