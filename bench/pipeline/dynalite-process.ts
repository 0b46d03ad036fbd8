/**
 * Runs dynalite (local/dynamodb/dynalite.ts) in a process of its own for the benchmark,
 * so that its request handling does not share the event loop being measured — DynamoDB is
 * a remote service, not part of the function. Prints `{"endpoint": …}` on stdout once
 * listening; exits when its stdin closes (the benchmark ended or died).
 */
import { startDynalite } from '../../local/dynamodb/dynalite.ts';

const dynamo = await startDynalite();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint })}\n`);
process.stdin.resume();
process.stdin.on('close', () => {
  dynamo.stop().finally(() => process.exit(0));
});
