import { cpus, loadavg, totalmem } from 'node:os';

/** What a benchmark prints before any figure: what it measures, how, and on what. */
export interface BenchMethod {
  readonly title: string;
  /** One paragraph per item: workload, what is compared, how each figure is measured. */
  readonly steps: readonly string[];
  /** Caveats a reader needs to weigh the figures. */
  readonly caveats?: readonly string[];
}

/** The machine the run happens on, with its load average (a shared machine makes figures noisy). */
export const machineLine = (): string => {
  const cores = cpus();
  const [one, five, fifteen] = loadavg().map((load) => load.toFixed(2));
  return (
    `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Node ${process.version}, load average ${one} / ${five} / ${fifteen} (1 / 5 / 15 min)`
  );
};

/** Renders the method as markdown, ready to print first. */
export const formatMethod = (method: BenchMethod): string =>
  [
    `## ${method.title}`,
    '',
    '### Method',
    '',
    ...method.steps.map((step, i) => `${i + 1}. ${step}`),
    ...(method.caveats === undefined || method.caveats.length === 0
      ? []
      : ['', '### Caveats', '', ...method.caveats.map((caveat) => `- ${caveat}`)]),
    '',
    `Machine: ${machineLine()}`,
    '',
  ].join('\n');
