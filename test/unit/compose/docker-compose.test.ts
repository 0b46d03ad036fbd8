import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../../tooling/paths.ts';

const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');

const Service = z.object({
  image: z.string(),
  ports: z.array(z.string()),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.union([z.array(z.string()), z.string()]) }),
  command: z.array(z.string()).optional(),
});
const ComposeFile = z.object({ name: z.string(), services: z.record(z.string(), Service) });

const compose = ComposeFile.parse(parse(readFileSync(COMPOSE_FILE, 'utf8')));
const service = (name: string) => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no ${name} service`);
  return found;
};
const tagOf = (image: string): string => image.slice(image.lastIndexOf(':') + 1);
const env = (name: string, key: string): string => String(service(name).environment?.[key]);

/** The Apache Kafka version the laptop broker runs (local/kafka/pom.xml). */
const localKafkaVersion = (): string => {
  const pom = readFileSync(join(REPO_ROOT, 'local', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (version === undefined) throw new Error('local/kafka/pom.xml names no kafka.version');
  return version;
};

/**
 * Confluent Platform release → the Apache Kafka release it ships, from "Confluent Platform and
 * Apache Kafka Compatibility" (https://docs.confluent.io/platform/current/installation/versions-interoperability.html).
 */
const KAFKA_OF_CONFLUENT_PLATFORM: Readonly<Record<string, string>> = {
  '7.9': '3.9',
  '8.0': '4.0',
  '8.1': '4.1',
};
const minorOf = (version: string): string => version.split('.').slice(0, 2).join('.');

describe('docker-compose.yml', () => {
  it('runs Kafka, a ksqlDB server and DynamoDB Local', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['dynamodb', 'kafka', 'ksqldb']);
    expect(service('kafka').image).toMatch(/^confluentinc\/cp-kafka:\d+\.\d+\.\d+$/);
    expect(service('ksqldb').image).toMatch(/^confluentinc\/cp-ksqldb-server:\d+\.\d+\.\d+$/);
    expect(service('dynamodb').image).toMatch(/^amazon\/dynamodb-local:\d+\.\d+\.\d+$/);
  });

  it('runs the Kafka major and minor the laptop broker runs, and the ksqlDB released with it', () => {
    const platform = tagOf(service('kafka').image);
    expect(KAFKA_OF_CONFLUENT_PLATFORM[minorOf(platform)], `Kafka in Confluent Platform ${platform}`).toBe(
      minorOf(localKafkaVersion()),
    );
    expect(tagOf(service('ksqldb').image)).toBe(platform);
  });

  it('publishes the ports the tools are pointed at, and runs one KRaft node', () => {
    expect(service('kafka').ports).toEqual(['9092:9092']);
    expect(service('ksqldb').ports).toEqual(['8088:8088']);
    expect(service('dynamodb').ports).toEqual(['8000:8000']);
    expect(env('kafka', 'KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    expect(env('kafka', 'CLUSTER_ID')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(env('kafka', 'KAFKA_CONTROLLER_QUORUM_VOTERS')).toBe(
      `${env('kafka', 'KAFKA_NODE_ID')}@kafka:9093`,
    );
    expect(env('kafka', 'KAFKA_AUTO_CREATE_TOPICS_ENABLE')).toBe('false');
    const advertised = env('kafka', 'KAFKA_ADVERTISED_LISTENERS').split(',');
    expect(advertised).toContain('HOST://127.0.0.1:9092');
    // ksqlDB reaches the broker on the listener advertised inside the compose network.
    expect(advertised).toContain(`INTERNAL://${env('ksqldb', 'KSQL_BOOTSTRAP_SERVERS')}`);
    expect(env('ksqldb', 'KSQL_LISTENERS')).toBe('http://0.0.0.0:8088');
    expect(service('ksqldb').depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
  });

  it('tells the tools where each service is, matching the published ports', () => {
    const header = readFileSync(COMPOSE_FILE, 'utf8');
    expect(header).toContain(
      'export KAFKA_BROKERS=127.0.0.1:9092 KSQLDB_URL=http://127.0.0.1:8088 DYNAMODB_ENDPOINT=http://127.0.0.1:8000',
    );
  });

  // No Docker engine or compose plugin on this project's machines: the parse above is the check
  // there, and `docker compose config` (the file as Compose itself reads it) runs where it exists.
  const composeCli = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const hasCompose = composeCli.status === 0;
  it.skipIf(!hasCompose)(
    `is valid for docker compose config${hasCompose ? '' : ' (skipped: no `docker compose` on this machine)'}`,
    () => {
      const config = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], {
        encoding: 'utf8',
      });
      expect(config.stderr).toBe('');
      expect(config.status).toBe(0);
    },
  );
});
