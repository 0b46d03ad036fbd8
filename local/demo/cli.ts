import { Presets, SingleBar } from 'cli-progress';
import { LIST_PRICES, PRICES } from '../../tooling/aws-prices.ts';
import { type DemoOptions, DemoUsageError, demoEvents, parseDemoArgs, USAGE } from './args.ts';
import { type DemoReporter, type DemoSummary, runDemo } from './run-demo.ts';

/** Progress for a person on a terminal: one bar, the aggregation's consumption against the load. */
const terminalReporter = (options: DemoOptions): DemoReporter => {
  const total = demoEvents(options);
  const bar = new SingleBar(
    {
      format:
        ' {bar} {percentage}% | produced {produced} | consumed {value}/{total} | lag {lag} | pollers {pollers} | invocations {invocations} | DynamoDB writes {writes} | DLQ {dlq}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    step: (message) => {
      if (started) bar.stop();
      started = false;
      process.stderr.write(`▸ ${message}\n`);
    },
    progress: (figures) => {
      if (!started) {
        bar.start(total, 0, { produced: 0, lag: 0, pollers: 0, invocations: 0, writes: 0, dlq: 0 });
        started = true;
      }
      bar.setTotal(Math.max(total, Number(figures.produced ?? 0)));
      bar.update(Number(figures.consumed ?? 0), figures);
    },
    done: () => {
      if (started) bar.stop();
      started = false;
    },
  };
};

/** Progress for logs and CI: structured lines on stderr, every 5 s. */
const logReporter = (): DemoReporter => {
  let last = 0;
  const log = (message: string, fields: Record<string, unknown> = {}) =>
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'INFO', message, ...fields })}\n`,
    );
  return {
    step: (message) => log(message),
    progress: (figures) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      log('progress', figures);
    },
    done: () => {},
  };
};

const printReport = (summary: DemoSummary): void => {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out('Top pages (busiest minutes)');
  for (const page of summary.topPages)
    out(`  ${page.minute}  ${String(page.views).padStart(6)}  ${page.path}`);
  out();
  const f = summary.funnel;
  const rate = (a: number, b: number) => (b === 0 ? '  –  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
  out('Funnel');
  out(`  page views    ${String(f.pageViews).padStart(8)}`);
  out(
    `  add to cart   ${String(f.addToCarts).padStart(8)}  ${rate(f.addToCarts, f.pageViews)} of page views`,
  );
  out(
    `  checkout      ${String(f.checkouts).padStart(8)}  ${rate(f.checkouts, f.addToCarts)} of add to carts`,
  );
  out(`  purchase      ${String(f.purchases).padStart(8)}  ${rate(f.purchases, f.checkouts)} of checkouts`);
  out(`  revenue       ${f.revenue.padStart(11)}`);
  out();
  const s = summary.sessions;
  out('Sessions (ksql session window → enrich-sessions λ)');
  out(
    `  closed ${s.closed}, enriched ${s.enriched} (${s.duplicates} redelivered duplicates), abandoned carts ${s.cartAbandoned}`,
  );
  out();
  out('ksql windows (embedded engine → output topics)');
  for (const { topic, rows } of summary.ksql.topics)
    out(`  ${topic.padEnd(34)} ${String(rows).padStart(7)} rows`);
  const newest = summary.ksql.latestPageviews;
  if (newest.length > 0) {
    out(`  pageviews in the ${newest[0]?.windowStart} window (views, unique users):`);
    for (const row of newest)
      out(`    ${String(row.views).padStart(6)} ${String(row.uniqueUsers).padStart(5)}  ${row.path}`);
  }
  out();
  out(`Event pollers of the aggregation mapping (${summary.pollers.mode})`);
  out(
    `  ${summary.pollers.timeline.map((step) => `${step.pollers} at ${step.atSeconds} s (lag ${step.lag})`).join(' → ') || 'not sampled'}`,
  );
  out();
  out('Conservation');
  out(`  valid events produced ${summary.produced}  =  counted in DynamoDB ${summary.counted}`);
  out(`  bad records produced  ${summary.bad}  =  records in the DLQ ${summary.dlq}`);
  out(`  closed sessions       ${s.closed}  =  enriched sessions ${s.enriched}`);
  out(
    `  DynamoDB: ${summary.writes} write requests, ${summary.writeUnits} write units, ` +
      `${summary.readUnits} read units for ${summary.counted} events`,
  );
  const { costPer1M: cost } = summary;
  out(
    `  cost per 1M events (aggregation, ${PRICES.region} list prices of ${PRICES.asOf}): ` +
      `$${cost.total.toFixed(3)} = Lambda $${cost.lambda.toFixed(3)} + DynamoDB $${cost.dynamoDb.toFixed(3)}`,
  );
  if (summary.produced === 0) out('  FAIL: nothing checked (no valid event was produced)');
  else out(summary.conserved && s.conserved ? '  PASS' : '  FAIL');
  const bill = summary.monthlyBill;
  out();
  out(
    `Monthly bill at ${bill.eventsPerSecond} events/s, steady (${LIST_PRICES.epuHour.asOf} list prices; npm run plan for all rates)`,
  );
  for (const [label, b] of [
    ['cheapest', bill.cheapest],
    ['cheapest in provisioned mode', bill.provisioned],
  ] as const) {
    if (b === undefined) continue;
    out(`  ${label}: ${b.configuration}`);
    out(
      `    $${b.monthlyUsd.toFixed(0)} a month ($${b.usdPerMillionEvents.toFixed(2)} per million events) = ` +
        `pollers $${b.lines.pollers.toFixed(0)} + Kafka $${b.lines.kafka.toFixed(0)} + stream processor $${b.lines.processor.toFixed(0)} + ` +
        `Lambda $${b.lines.lambda.toFixed(2)} + DynamoDB $${b.lines.dynamoDb.toFixed(2)}`,
    );
  }
};

const main = async (): Promise<number> => {
  let options: DemoOptions;
  try {
    const parsed = parseDemoArgs(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nInterrupted: stopping everything the demo started (Ctrl-C again to force)…\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const reporter = options.json || !process.stderr.isTTY ? logReporter() : terminalReporter(options);
  try {
    const summary = await runDemo(options, reporter, controller.signal);
    const conserved = summary.conserved && summary.sessions.conserved;
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({
          produced: summary.produced,
          bad: summary.bad,
          counted: summary.counted,
          dlq: summary.dlq,
          conserved: summary.conserved,
          checked: summary.produced > 0,
          writes: summary.writes,
          writeUnits: summary.writeUnits,
          readUnits: summary.readUnits,
          costPer1M: Number(summary.costPer1M.total.toFixed(4)),
          sessions: summary.sessions,
          ksqlRows: Object.fromEntries(summary.ksql.topics.map(({ topic, rows }) => [topic, rows])),
          pollers: summary.pollers,
          durationMs: summary.durationMs,
        })}\n`,
      );
    } else {
      printReport(summary);
    }
    return conserved ? 0 : 1;
  } catch (error) {
    if (interrupted) return 130;
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};

process.exitCode = await main();
