/**
 * The scale plan's monthly bill: tables (markdown) and a chart (self-contained SVG) of what
 * each configuration costs at each rate, from tooling/monthly-bill.ts.
 */
import { LIST_PRICES, type ListPrice, SERVERLESS_LIST_PRICES } from '../tooling/aws-prices.ts';
import {
  allBills,
  type Bill,
  cheapest,
  KAFKA_OPTIONS,
  type KafkaOption,
  nameOf,
  PROCESSOR_OPTIONS,
  type ProcessorOption,
  type Workload,
} from '../tooling/monthly-bill.ts';
import { markdownTable } from './common/markdown-table.ts';

/** A rate and what the architecture does there. */
export interface RateWorkload {
  readonly rate: number;
  readonly workload: Workload;
}

const usd = (value: number): string =>
  value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : `$${value.toFixed(2)}`;
const perMillion = (value: number): string => (value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(3)}`);

const COMPONENTS = ['pollers', 'kafka', 'processor', 'lambda', 'dynamoDb'] as const;
const COMPONENT_LABELS = {
  pollers: 'Event pollers (EPU)',
  kafka: 'Kafka cluster',
  processor: 'Stream processor',
  lambda: 'Lambda',
  dynamoDb: 'DynamoDB',
} as const;

const billRow = (label: string, bill: Bill | undefined): string[] =>
  bill === undefined
    ? [label, '—', '—', '—', '—', '—', '—', '—']
    : [
        label,
        nameOf(bill),
        ...COMPONENTS.map((c) => usd(bill.lines[c].monthlyUsd)),
        `**${usd(bill.monthlyUsd)}** (${perMillion(bill.usdPerMillionEvents)} per million events)`,
      ];

const rateSection = ({ rate, workload }: RateWorkload): string => {
  const best = cheapest(workload);
  const bills = allBills(workload);
  const byKafka = (kafka: KafkaOption): Bill | undefined => bills.find((b) => b.kafka === kafka);
  const byProcessor = (processor: ProcessorOption): Bill | undefined =>
    bills.find((b) => b.processor === processor && b.caveat === undefined);
  const rows = [
    billRow('Cheapest', best.overall),
    billRow('Cheapest in provisioned mode', best.provisioned),
    ...KAFKA_OPTIONS.map((kafka) => billRow(`Cheapest on ${kafka}`, byKafka(kafka))),
    ...PROCESSOR_OPTIONS.map((processor) => billRow(`Cheapest with ${processor}`, byProcessor(processor))),
  ];
  const units = best.overall
    ? COMPONENTS.map((c) => `${COMPONENT_LABELS[c]}: ${best.overall?.lines[c].units}`).join('; ')
    : '';
  return [
    `### ${rate.toLocaleString('en-US')} events/s`,
    '',
    best.overall
      ? `Cheapest: **${nameOf(best.overall)}**, ${usd(best.overall.monthlyUsd)} a month, ${perMillion(best.overall.usdPerMillionEvents)} per million events. Units: ${units}.`
      : 'No configuration carries this rate.',
    '',
    markdownTable(
      ['', 'Configuration', ...COMPONENTS.map((c) => COMPONENT_LABELS[c]), 'Monthly (per million events)'],
      rows,
    ),
    '',
  ].join('\n');
};

const priceRow = (name: string, price: ListPrice): string[] => [
  name,
  `$${price.usd} per ${price.unit}`,
  price.source,
  price.asOf,
  price.basis === 'assumption' ? `**assumption**: ${price.note}` : `read on the page: ${price.note}`,
];

/** The bill at every rate, then the price list with its sources. */
export const billReport = (rates: readonly RateWorkload[]): string =>
  [
    '## Monthly bill (`npm run plan`)',
    '',
    'Every configuration the deployment offers, priced at list prices (us-east-1, pay as you go, 730 h a month): ' +
      'event pollers on-demand (no poller charge) or provisioned (EPUs around the clock, one set per mapping or shared by a poller group); ' +
      'Kafka on Confluent Cloud (Basic, Standard, Enterprise, Dedicated) or Amazon MSK (Serverless, provisioned); ' +
      'the streaming statements on ksqlDB, Confluent Cloud for Apache Flink or Amazon Managed Service for Apache Flink; Lambda and DynamoDB as modelled above. ' +
      'Kafka keeps a week (deploy/topics.ts) and is read by the aggregation mapping and the stream processor. ' +
      '"Cheapest" leaves out Confluent Basic (single zone, 99.5 % SLA); schema registry integration, the Kafka on-failure destination, ESM metrics and system logs need provisioned mode, hence its own row.',
    '',
    ...rates.map(rateSection),
    '### Prices',
    '',
    markdownTable(
      ['Item', 'List price', 'Source', 'Page read', 'Basis'],
      [
        ...Object.entries(SERVERLESS_LIST_PRICES).map(([name, price]) => priceRow(name, price)),
        ...Object.entries(LIST_PRICES).map(([name, price]) => priceRow(name, price)),
      ],
    ),
    '',
  ].join('\n');

const COLOURS = {
  pollers: '#d95f02',
  kafka: '#1b9e77',
  processor: '#7570b3',
  lambda: '#e7298a',
  dynamoDb: '#66a61e',
} as const;

const xmlText = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/** One bar: a bill split by component, as shares of it, labelled with its dollars. */
const barSvg = (bill: Bill, x0: number, y: number, barWidth: number, label: string): string[] => {
  const parts = [
    `<text x="20" y="${y + 12}" fill="#333" font-size="12">${xmlText(label)}</text>`,
    `<text x="20" y="${y + 26}" fill="#666" font-size="11">${xmlText(`${bill.kafka} + ${bill.processor}`)}</text>`,
  ];
  let x = x0;
  for (const c of COMPONENTS) {
    const share = bill.lines[c].monthlyUsd / bill.monthlyUsd;
    const w = share * barWidth;
    if (w <= 0) continue;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="28" fill="${COLOURS[c]}"><title>${COMPONENT_LABELS[c]}: ${usd(bill.lines[c].monthlyUsd)} a month</title></rect>`,
    );
    if (w > 40)
      parts.push(
        `<text x="${(x + w / 2).toFixed(1)}" y="${y + 18}" fill="#fff" text-anchor="middle" font-size="11">${Math.round(share * 100)} %</text>`,
      );
    x += w;
  }
  parts.push(
    `<text x="${x0 + barWidth + 14}" y="${y + 13}" font-weight="600">${usd(bill.monthlyUsd)} a month</text>`,
    `<text x="${x0 + barWidth + 14}" y="${y + 27}" fill="#555">${perMillion(bill.usdPerMillionEvents)} per million events</text>`,
  );
  return parts;
};

/**
 * Per rate, two stacked bars: the cheapest production configuration, and the cheapest in
 * provisioned mode (what schema registry integration and the Kafka on-failure destination
 * need). Each bar is its bill split by component, as shares of the bill, so 200 and 100,000
 * events/s read on one scale; dollars a month and per million events beside it.
 */
export const billChart = (rates: readonly { rate: number; bills: readonly Bill[] }[]): string => {
  const width = 1000;
  const rowHeight = 112;
  const left = 300;
  const barWidth = 470;
  const top = 92;
  const height = top + rates.length * rowHeight + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    '<title>Monthly bill of the architecture by component at each rate (npm run plan)</title>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    '<text x="20" y="30" font-size="18" font-weight="600">What the architecture costs a month, and where the money goes</text>',
    `<text x="20" y="52" fill="#555">npm run plan: list prices (us-east-1) as of ${xmlText(LIST_PRICES.epuHour.asOf)}, 730 h a month. Each bar is one bill split by component.</text>`,
  ];
  COMPONENTS.forEach((c, i) => {
    const x = 20 + i * 170;
    parts.push(`<rect x="${x}" y="66" width="12" height="12" fill="${COLOURS[c]}"/>`);
    parts.push(`<text x="${x + 18}" y="77">${COMPONENT_LABELS[c]}</text>`);
  });
  rates.forEach(({ rate, bills }, row) => {
    const y = top + row * rowHeight;
    parts.push(`<line x1="20" x2="${width - 20}" y1="${y + 4}" y2="${y + 4}" stroke="#ddd"/>`);
    parts.push(
      `<text x="20" y="${y + 24}" font-size="15" font-weight="600">${rate.toLocaleString('en-US')} events/s</text>`,
    );
    const best = bills.find((b) => b.caveat === undefined);
    const provisioned = bills.find((b) => b.caveat === undefined && b.pollers !== 'on-demand');
    if (best) parts.push(...barSvg(best, left, y + 34, barWidth, `Cheapest (${best.pollers} pollers)`));
    if (provisioned)
      parts.push(
        ...barSvg(
          provisioned,
          left,
          y + 70,
          barWidth,
          `Cheapest in provisioned mode (${provisioned.pollers})`,
        ),
      );
  });
  parts.push(
    `<text x="20" y="${height - 12}" fill="#555" font-size="11">Kafka, the stream processor and provisioned pollers bill by the hour whatever the rate; Lambda and DynamoDB by the unit. Sources and dates: npm run plan, "Prices".</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
};
