import { ensurePrerequisites } from '../integration/prerequisites.ts';

/**
 * The workshop run starts its own stack from a fresh copy of the tree (workshop-checkout.ts):
 * it needs only what the integration setup installs (the Kafka jars, Flink, the Python venv).
 */
export default async function setup(): Promise<void> {
  await ensurePrerequisites((line) => console.error(`[setup] ${line}`));
}
