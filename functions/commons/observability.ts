import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

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
