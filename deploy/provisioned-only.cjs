// `${file(deploy/provisioned-only.cjs):schemaRegistry}`: a schema registry on a Kafka event
// source mapping is a provisioned-mode feature ("only available for event source mappings
// using provisioned mode", https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html),
// so packaging stops naming both settings instead of CloudFormation refusing the mapping later.
// CommonJS because serverless v3 loads variable files with require().
'use strict';

module.exports.schemaRegistry = async ({ resolveVariable }) => {
  const mode = await resolveVariable('param:esmScalingMode');
  if (mode === 'provisioned') return mode;
  const message = `Deploy setting "schemaRegistry" needs provisioned event pollers: pass --param esmScalingMode=provisioned (it is "${mode}"); AWS accepts a SchemaRegistryConfig only in provisioned mode.`;
  const error = new Error(message);
  error.stack = message;
  throw error;
};
