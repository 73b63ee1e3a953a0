import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TransientError } from '../domain/errors.ts';
import type {
  ExecutionStarter,
  StartExecutionRequest,
  StartExecutionResult,
} from '../ports/execution-starter.ts';
import { isTransientAwsError } from './aws-errors.ts';

/**
 * Starts executions of one Step Functions state machine through `@aws-sdk/client-sfn`.
 *
 * A standard workflow answers a second `StartExecution` of the same name either with the running
 * execution (same input) or with `ExecutionAlreadyExists` (closed, or another input): both mean
 * the request is already being (or was) processed, so both resolve, the latter as
 * `{ status: 'already-exists' }`.
 *
 * @example
 * const starter = new SfnExecutionStarter(new SFNClient({}), config.stateMachineArn);
 * await starter.start({ name: executionName(listingId, requestId), input: JSON.stringify(request) });
 */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(request: StartExecutionRequest): Promise<StartExecutionResult> {
    try {
      const out = await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: request.name,
          input: request.input,
        }),
      );
      return { status: 'started', executionArn: out.executionArn ?? '' };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { status: 'already-exists' };
      if (isTransientAwsError(error)) {
        throw new TransientError(
          `StartExecution of "${request.name}" failed (${(error as Error).name}: ${(error as Error).message}); worth retrying`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
