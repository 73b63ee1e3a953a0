import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { stateMachineLogGroupName } from '../arns.ts';
import { acknowledgeWildcard } from '../nag.ts';
import {
  DEFINITION_TEXT,
  type DefinitionPlaceholder,
  type FunctionId,
} from '@toq/lambdas/pipeline';

/** How long the state machine's logs are kept: a year, as the functions' (pipeline-functions.ts). */
export const STATE_MACHINE_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * How long Step Functions reuses a data key of the state machine's before asking KMS for a new
 * one: its default, 5 minutes (60 to 900 s allowed). Longer saves KMS requests and puts more
 * executions' data under one data key.
 */
export const STATE_MACHINE_DATA_KEY_REUSE_SECONDS = 300;

/** Props of {@link PipelineStateMachine}. */
export interface PipelineStateMachineProps {
  /** `listing-media-processing-{stage}`. */
  readonly stateMachineName: string;
  /** The spec's Step Functions role. */
  readonly role: iam.IRole;
  /** The role each MediaConvert job runs as. */
  readonly mediaConvertRole: iam.IRole;
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
  /** Encrypts the definition, the execution data and the execution logs. */
  readonly key: kms.IKey;
}

/**
 * The standard workflow, from `@toq/lambdas/pipeline`'s `definition.asl.json` (the file the local run
 * executes) with its `${…}` placeholders filled by CloudFormation; every log level, and X-Ray.
 * Its definition and execution data (inputs, outputs, history) are encrypted with the pipeline's
 * key; the roles' and the key's statements for that are in `pipeline-roles.ts` and
 * `media-key.ts`.
 */
export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    const { functions } = props;
    const definitionSubstitutions: Record<DefinitionPlaceholder, string> = {
      ValidateFunctionArn: functions.validate.functionArn,
      ThumbnailsFunctionArn: functions.thumbnails.functionArn,
      TranscodeFunctionArn: functions.transcode.functionArn,
      ZipFunctionArn: functions.zip.functionArn,
      ConsolidateFunctionArn: functions.consolidate.functionArn,
      CallbackFunctionArn: functions.callback.functionArn,
      MediaConvertRoleArn: props.mediaConvertRole.roleArn,
    };
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: stateMachineLogGroupName(props.stateMachineName),
      retention: STATE_MACHINE_LOG_RETENTION,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(DEFINITION_TEXT),
      definitionSubstitutions,
      role: props.role,
      // Every state transition is logged, without the data: inputs carry callback URLs and
      // listing ids, and the full state is in S3 under the execution's state prefix anyway.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // Set on the L1: the L2's encryptionConfiguration also puts into the key's policy kms:Decrypt*
    // for the log delivery service without any condition. The statements this encryption needs
    // are written out with conditions instead.
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).encryptionConfiguration = {
      type: 'CUSTOMER_MANAGED_KMS_KEY',
      kmsKeyId: props.key.keyArn,
      kmsDataKeyReusePeriodSeconds: STATE_MACHINE_DATA_KEY_REUSE_SECONDS,
    };
    // Logging adds the CloudWatch Logs delivery actions (logs:CreateLogDelivery, GetLogDelivery,
    // UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy,
    // DescribeResourcePolicies, DescribeLogGroups) and tracing the X-Ray ones to the role, all on
    // "*". The CloudWatch Logs guide limits the last three to the account's log groups instead;
    // the Step Functions guide, and CDK, give them "*", and without an account to deploy to the
    // narrower form stays unproven, so they keep it and the reason says so.
    acknowledgeWildcard(
      props.role,
      '*',
      'Added by CDK for logging and tracing: X-Ray’s PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets and CloudWatch Logs’ CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery and ListLogDeliveries take no resource ARN, so "*" is the only resource they accept; PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups, with which log delivery finds the log group and reads and sets the CloudWatch Logs resource policy that lets it write there, get "*" as the Step Functions logging guide gives them, although the CloudWatch Logs guide limits them to the account’s log groups',
    );
  }
}
