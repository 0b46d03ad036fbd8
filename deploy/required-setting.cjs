// Fallback of every required deploy setting in serverless.yml and resources/kafka-*.yml:
// `${param:x, file(deploy/required-setting.cjs):x}`. serverless resolves it only when the
// parameter has no value, and then stops packaging with a message that names the setting
// (its own message would name only the property: `Value not found at "param" source`).
// CommonJS because serverless v3 loads variable files with require().
'use strict';

/** Each required setting: the --param name → the .env variable and what to give. */
const SETTINGS = {
  kafkaProvider: ['KAFKA_PROVIDER', '`confluent` or `msk` (or deploy with --stage confluent / --stage msk)'],
  kafkaBootstrapServers: ['KAFKA_BOOTSTRAP_SERVERS', 'the bootstrap server(s), host:port[,host:port]'],
  kafkaSecretArn: ['KAFKA_SECRET_ARN', 'the ARN of the Secrets Manager secret holding the Confluent API key'],
  mskClusterArn: ['MSK_CLUSTER_ARN', 'the ARN of the Amazon MSK cluster'],
  mskSubnetIds: ['MSK_SUBNET_IDS', 'comma-separated subnet ids the functions run in (the cluster VPC)'],
  mskSecurityGroupIds: [
    'MSK_SECURITY_GROUP_IDS',
    'comma-separated security group ids allowed to reach the brokers',
  ],
};

const missing = (name) => () => {
  const [variable, what] = SETTINGS[name];
  const message = `Missing deploy setting "${name}": pass --param ${name}=<value> to serverless (${variable} in .env for npm run deploy); it is ${what}.`;
  const error = new Error(message);
  // serverless prints the stack of what a variable file throws: keep it to the message.
  error.stack = message;
  throw error;
};

module.exports = Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, missing(name)]));
