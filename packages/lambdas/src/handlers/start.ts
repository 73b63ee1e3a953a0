import { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter.ts';
import { StartConfig, loadConfig } from '../config.ts';
import { startProcessing } from '../domain/start-processing.ts';
import { beginInvocation, createLogger, loggerPort } from '../logger.ts';

// `listing-media-start`: the SQS event source (ReportBatchItemFailures) → one execution per request.
const config = loadConfig(StartConfig, process.env);
const logger = createLogger(config);
const deps = {
  starter: new SfnExecutionStarter(new SFNClient({}), config.stateMachineArn),
  logger: loggerPort(logger),
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  beginInvocation(logger);
  return startProcessing(event.Records, deps);
};
