import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { SfnExecutionStarter } from '../../src/adapters/sfn-execution-starter.ts';
import { TransientError } from '../../src/domain/errors.ts';
import { localClientConfig } from '../setup/aws.ts';
import { startAwsJsonServer, type AwsJsonReply } from '../setup/aws-json-server.ts';

const STATE_MACHINE =
  'arn:aws:states:us-east-1:058264253741:stateMachine:listing-media-processing-staging';

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

/** The real SDK client against a local Step Functions JSON-protocol stand-in. */
async function starterAnswering(reply: AwsJsonReply) {
  const server = await startAwsJsonServer(() => reply);
  close = server.close;
  const client = new SFNClient(localClientConfig(server.endpoint));
  return { starter: new SfnExecutionStarter(client, STATE_MACHINE), calls: server.calls };
}

/** A starter whose StartExecution fails with the AWS error `type` (HTTP 400). */
async function starterFailingWith(type: string, message: string) {
  const { starter } = await starterAnswering({ status: 400, body: { __type: type, message } });
  return starter;
}

describe('SfnExecutionStarter', () => {
  it('sends StartExecution with the state machine, the deterministic name and the input', async () => {
    // Prepare
    const arn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:l_r`;
    const { starter, calls } = await starterAnswering({
      status: 200,
      body: { executionArn: arn, startDate: 1_700_000_000 },
    });

    // Act
    const result = await starter.start({ name: 'l_r', input: '{"a":1}' });

    // Assess
    expect(result).toEqual({ status: 'started', executionArn: arn });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('AWSStepFunctions.StartExecution');
    expect(calls[0]?.body).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: 'l_r',
      input: '{"a":1}',
    });
  });

  it('treats ExecutionAlreadyExists as already done', async () => {
    const starter = await starterFailingWith(
      'ExecutionAlreadyExists',
      'Execution Already Exists: l_r',
    );

    await expect(starter.start({ name: 'l_r', input: '{}' })).resolves.toEqual({
      status: 'already-exists',
    });
  });

  it('turns throttling into a TransientError', async () => {
    const starter = await starterFailingWith('ThrottlingException', 'Rate exceeded');

    const error = await starter.start({ name: 'l_r', input: '{}' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      'StartExecution of "l_r" failed (ThrottlingException: Rate exceeded); worth retrying',
    );
  });

  it('passes any other error through unchanged', async () => {
    const starter = await starterFailingWith(
      'StateMachineDoesNotExist',
      'State Machine Does Not Exist',
    );

    await expect(starter.start({ name: 'l_r', input: '{}' })).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});
