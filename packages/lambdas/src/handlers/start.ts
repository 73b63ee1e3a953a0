import { SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionStarter } from '../adapters/sfn-execution-starter.ts';
import { StartConfig, loadConfig } from '../config.ts';
import { createStartHandler } from '../functions/start.ts';
import { invocationLogger } from '../logger.ts';

// `listing-media-start` on AWS: `functions/start.ts` wired to Step Functions, once per cold start.
const config = loadConfig(StartConfig, process.env);

export const handler = createStartHandler({
  starter: new SfnExecutionStarter(new SFNClient({}), config.stateMachineArn),
  logger: invocationLogger(config),
});
