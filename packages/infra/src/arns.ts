import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { FUNCTION_IDS, type FunctionId, type PipelineNames } from '@toq/lambdas/pipeline';

/** The CloudWatch log group of a Lambda function. */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** The CloudWatch log group of the state machine (`/aws/vendedlogs/` keeps its resource policy small). */
export function stateMachineLogGroupName(stateMachineName: string): string {
  return `/aws/vendedlogs/states/${stateMachineName}`;
}

/**
 * `arn:aws:logs:{region}:{account}:*`: this account's CloudWatch Logs in the stack's region, the
 * source the log delivery service names for the state machine's logs.
 */
export function accountLogsArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: '*',
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
}

/**
 * `arn:aws:cloudwatch:{region}:{account}:alarm:{name}` for each name: the alarms' ARNs, which
 * the alarm topic's and the key's policies name (by name: the alarms refer to the topic, and
 * the topic to the key, so references back would be cycles).
 */
export function alarmArns(scope: IConstruct, alarmNames: readonly string[]): string[] {
  const stack = Stack.of(scope);
  return alarmNames.map((name) =>
    stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  );
}

/**
 * ARNs built from the resources' names, not from references: the roles' policies name the
 * functions and the state machine, which in turn use the roles, so references would make a
 * dependency cycle in CloudFormation. The names are fixed (spec §1), so the ARNs are exact.
 */
export interface PipelineArns {
  readonly stateMachine: string;
  /** Every execution of the state machine (`execution:{name}:*`): execution names are per request. */
  readonly executions: string;
  readonly functions: Readonly<Record<FunctionId, string>>;
  /** Log streams of each function's log group (`…:log-group:/aws/lambda/{fn}:*`). */
  readonly functionLogStreams: readonly string[];
}

/**
 * @example
 * const arns = pipelineArns(this, names);
 * role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arns.stateMachine] }));
 */
export function pipelineArns(scope: IConstruct, names: PipelineNames): PipelineArns {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName: string) =>
    stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return {
    stateMachine: arn('states', 'stateMachine', names.stateMachine),
    executions: arn('states', 'execution', `${names.stateMachine}:*`),
    functions: Object.fromEntries(
      FUNCTION_IDS.map((id) => [id, arn('lambda', 'function', names.functions[id])]),
    ) as Record<FunctionId, string>,
    functionLogStreams: FUNCTION_IDS.map((id) =>
      arn('logs', 'log-group', `${functionLogGroupName(names.functions[id])}:*`),
    ),
  };
}
