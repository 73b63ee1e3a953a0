import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mediaStore } from '../adapters/media-store.ts';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter.ts';
import { SqsDeadLetterQueue } from '../adapters/sqs-dead-letter-queue.ts';
import { StartConfig, loadConfig } from '../config.ts';
import { createStartHandler } from '../functions/start.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-start` on AWS: `functions/start.ts` wired to the media bucket, Step Functions
// and the ingest queue's DLQ, once per cold start.
const config = loadConfig(StartConfig, process.env);

export const handler = createStartHandler({
  starter: new SfnExecutionStarter(new SFNClient({}), config.stateMachineArn),
  store: mediaStore(config),
  deadLetterQueue: new SqsDeadLetterQueue(new SQSClient({}), config.deadLetterQueueUrl),
  logger: invocationLogger(config),
});
