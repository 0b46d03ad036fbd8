import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../tooling/paths.ts';

/** The CloudFormation file that serverless.yml deploys: the one definition of the tables. */
export const TABLES_FILE = join(REPO_ROOT, 'resources', 'dynamodb-tables.yml');

/** Logical ids in resources/dynamodb-tables.yml → the `custom.tables` key naming each. */
export const TABLE_KEYS = { AnalyticsTable: 'analytics', UserProfilesTable: 'userProfiles' } as const;
export type TableKey = (typeof TABLE_KEYS)[keyof typeof TABLE_KEYS];
export type TableNames = Record<TableKey, string>;

/** The local stack's table names (deployed stages use `clickstream-<stage>-…`). */
export const LOCAL_TABLE_NAMES: TableNames = {
  analytics: 'clickstream-local-analytics',
  userProfiles: 'clickstream-local-user-profiles',
};

const KeySchema = z.array(z.strictObject({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }));
const TableProperties = z.object({
  TableName: z.string(),
  BillingMode: z.literal('PAY_PER_REQUEST'),
  AttributeDefinitions: z.array(
    z.strictObject({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
  ),
  KeySchema,
  GlobalSecondaryIndexes: z
    .array(
      z.strictObject({
        IndexName: z.string(),
        KeySchema,
        Projection: z.strictObject({
          ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
          NonKeyAttributes: z.array(z.string()).optional(),
        }),
      }),
    )
    .optional(),
  TimeToLiveSpecification: z.strictObject({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
});
const TablesFile = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.literal('AWS::DynamoDB::Table'), Properties: TableProperties }),
  ),
});

/** A table as the local stack creates it. */
export interface TableDefinition {
  readonly key: TableKey;
  readonly create: CreateTableCommandInput;
  readonly ttlAttribute: string | undefined;
}

/**
 * Reads resources/dynamodb-tables.yml and turns each AWS::DynamoDB::Table into a CreateTable
 * request, with `${self:custom.tables.<key>}` replaced by the given names.
 */
export const loadTableDefinitions = (names: TableNames, file = TABLES_FILE): TableDefinition[] => {
  const parsed = TablesFile.parse(parse(readFileSync(file, 'utf8')));
  return Object.entries(parsed.Resources).map(([logicalId, resource]) => {
    if (!(logicalId in TABLE_KEYS)) {
      throw new Error(`${file}: table ${logicalId} has no entry in TABLE_KEYS (local/dynamodb/tables.ts)`);
    }
    const key = TABLE_KEYS[logicalId as keyof typeof TABLE_KEYS];
    const props = resource.Properties;
    const create: CreateTableCommandInput = {
      TableName: names[key],
      BillingMode: props.BillingMode,
      AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
      KeySchema: props.KeySchema as KeySchemaElement[],
      ...(props.GlobalSecondaryIndexes === undefined
        ? {}
        : { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as GlobalSecondaryIndex[] }),
    };
    const ttl = props.TimeToLiveSpecification;
    return { key, create, ttlAttribute: ttl?.Enabled ? ttl.AttributeName : undefined };
  });
};

/**
 * Creates the project's tables (those that exist are left alone). TTL is switched on where
 * the endpoint supports it; dynalite does not (no UpdateTimeToLive), which is harmless: the
 * `expiresAt` attribute is still written, and nothing reads expiry.
 */
export const createTables = async (client: DynamoDBClient, names: TableNames): Promise<void> => {
  for (const table of loadTableDefinitions(names)) {
    try {
      await client.send(new CreateTableCommand(table.create));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    // A new table answers ResourceNotFoundException until it is ACTIVE, on DynamoDB and on
    // dynalite alike (dynalite flips the status on a timer even with createTableMs 0), so wait
    // for ACTIVE before anyone writes. The first poll is immediate.
    // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    await waitUntilTableExists(
      { client, minDelay: 1, maxDelay: 5, maxWaitTime: 300 },
      { TableName: table.create.TableName },
    );
    if (table.ttlAttribute !== undefined) {
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: table.create.TableName,
            TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
          }),
        )
        .catch(() => {
          // dynalite answers UnknownOperationException; a real endpoint that already has TTL on answers ValidationException.
        });
    }
  }
};
