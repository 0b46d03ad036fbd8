import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The structured JSON logger, one per instance. Service name and level come from the
 * Powertools variables (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL).
 */
export const logger = new Logger();

/**
 * CloudWatch metrics in Embedded Metric Format, one per instance, flushed once per
 * invocation. The namespace comes from POWERTOOLS_METRICS_NAMESPACE, else `Clickstream`.
 */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Clickstream' });

/**
 * The X-Ray tracer, one per instance: AWS SDK clients built with `tracer.captureAWSv3Client`
 * appear as subsegments of the invocation. Active tracing (serverless.yml
 * `provider.tracing.lambda`) samples with X-Ray's default rule, the first request each second
 * and 5% of the rest (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-sampling).
 * The tracer turns itself off outside Lambda (no AWS_EXECUTION_ENV) and with
 * POWERTOOLS_TRACE_ENABLED=false, which the local ESM emulator sets: there is no X-Ray daemon
 * on a laptop.
 */
export const tracer = new Tracer();
