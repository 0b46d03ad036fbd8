/**
 * The connector configuration the stand-in runs: the JSON `npm run connector` prints
 * (`{ name, config }`, as Confluent's CLI and the Connect REST API take it), read through a
 * schema so that a setting the stand-in would silently misread stops it, named.
 */
import { z } from 'zod';
import { SinkValueFormat } from '../../services/kafka/lambda-sink-payload.ts';

/** What the stand-in's task needs from a connector configuration. */
export interface SinkConnectorSettings {
  readonly name: string;
  readonly topics: readonly string[];
  /** `aws.lambda.function.name`, without a `:version` or `:alias` qualifier. */
  readonly functionName: string;
  readonly invocationType: 'sync' | 'async';
  readonly batchSize: number;
  /** `behavior.on.error`: `fail` stops the task, `log`/`ignore` skip the failed batch. */
  readonly behaviorOnError: 'fail' | 'log' | 'ignore';
  readonly valueFormat: SinkValueFormat;
  /** Where a skipped batch (`log`) and unconvertible records go. */
  readonly errorTopic: string;
}

const positive = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int()
    .positive(`${name} must be a positive whole number`);

const ConfigSchema = z.looseObject({
  topics: z.string({ error: 'topics is required' }).min(1, 'topics is required'),
  'aws.lambda.function.name': z.string({ error: 'aws.lambda.function.name is required' }).min(1),
  'aws.lambda.invocation.type': z.enum(['sync', 'async']).default('sync'),
  'aws.lambda.batch.size': positive('aws.lambda.batch.size').default(20),
  'behavior.on.error': z.enum(['fail', 'log', 'ignore']).default('log'),
  'value.converter': z.string().optional(),
  'input.data.format': z.string().optional(),
  'errors.deadletterqueue.topic.name': z.string().optional(),
});

const FileSchema = z.object({ name: z.string().min(1, 'name is required'), config: ConfigSchema });

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

/**
 * Reads a connector definition. The defaults are the connector's own: sync, batches of 20,
 * `behavior.on.error: log` (Confluent's configuration reference).
 *
 * @throws {Error} naming every invalid setting.
 */
export const readSinkConnector = (raw: unknown): SinkConnectorSettings => {
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid connector configuration: ${z.prettifyError(parsed.error)}`);
  const { name, config } = parsed.data;
  const json = config['value.converter'] === JSON_CONVERTER || config['input.data.format'] === 'JSON';
  return {
    name,
    topics: config.topics.split(',').map((topic) => topic.trim()),
    functionName:
      config['aws.lambda.function.name'].replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, '').split(':')[0] ??
      '',
    invocationType: config['aws.lambda.invocation.type'],
    batchSize: config['aws.lambda.batch.size'],
    behaviorOnError: config['behavior.on.error'],
    valueFormat: json ? SinkValueFormat.Json : SinkValueFormat.String,
    // Confluent Cloud writes failures to `error-<connector id>`; self-managed, to the DLQ named.
    errorTopic: config['errors.deadletterqueue.topic.name'] ?? `error-${name}`,
  };
};
