import { z } from 'zod';
import { KsqlMigrationError } from '../../ksql/migrate/errors.ts';
import { BrokerUnreachableError } from '../../services/kafka/errors.ts';
import { CliUsageError, parseCliArgs } from '../../tooling/cli-args.ts';
import { KsqlError } from './errors.ts';
import { formatReport, totals } from './qtt/qtt-report.ts';
import { collectFiles, runFile } from './qtt/qtt-runner.ts';

const HELP = `Usage: npm run ksql -- <command> [options]

Commands:
  qtt <dir-or-files...> [--json] [--verbose]
      Run ksqlDB query-validation test files against the embedded engine and print
      passed / failed / unsupported per file and in total. Exit code 1 if any case failed.
  apply [--dir ksql] [--var NAME=VALUE ...] [--dry-run]
      Apply the migrations in ksql/ to the ksqlDB server at KSQLDB_URL, one at a time,
      skipping versions already applied. Basic auth from KSQLDB_API_KEY / KSQLDB_API_SECRET.
  status [--dir ksql] [--var NAME=VALUE ...]
      Show which migrations are applied on the server at KSQLDB_URL and which are pending.
  run [--dir ksql] [--var NAME=VALUE ...] [--brokers host:port] [--app-id id]
      Run the migrations on the embedded engine over real Kafka topics (KAFKA_BROKERS).

Options:
  -h, --help   Show this help (also: <command> --help).
`;

const QTT_USAGE =
  'Usage: npm run ksql -- qtt <dir-or-files...> [--json] [--verbose]\n\nRuns ksqlDB query-validation test files (see ../shared/ksql-qtt/README.md).\n--json prints {files, totals} for machines; --verbose lists unsupported cases with their construct.\n';

const QttFlags = z.object({
  paths: z.array(z.string()).min(1, 'qtt needs at least one directory or file'),
  json: z.boolean(),
  verbose: z.boolean(),
});

async function qtt(args: string[]): Promise<number> {
  const parsed = parseCliArgs(args, {
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
    toInput: (values, positionals) => ({
      paths: positionals,
      json: values.json === true,
      verbose: values.verbose === true,
    }),
    schema: QttFlags,
  });
  if (parsed.help) {
    process.stdout.write(QTT_USAGE);
    return 0;
  }
  const { paths, json, verbose } = parsed.options;
  const files = await collectFiles(paths);
  const results = [];
  for (const f of files) results.push(await runFile(f));
  if (json) {
    process.stdout.write(`${JSON.stringify({ files: results, totals: totals(results) }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReport(results, verbose)}\n`);
  }
  return totals(results).failed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'qtt':
      return qtt(rest);
    case 'apply':
    case 'status': {
      const { runMigrationsCommand } = await import('../../ksql/migrate/migrations-cli.ts');
      return runMigrationsCommand(command, rest);
    }
    case 'run': {
      const { runKafkaCommand } = await import('./kafka/kafka-cli.ts');
      return runKafkaCommand(rest);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliUsageError) {
      process.stderr.write(`${err.message}\nRun with --help for the options.\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(
      `${err instanceof KsqlError || err instanceof KsqlMigrationError || err instanceof BrokerUnreachableError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    // A kafkajs client that gave up on a silent broker can leave retry timers behind.
    process.stderr.write('', () => process.exit(1));
  },
);
