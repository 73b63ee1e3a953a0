import { Match } from 'aws-cdk-lib/assertions';
import { DEFINITION_PLACEHOLDERS, DEFINITION_TEXT } from '@toq/lambdas/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  keyArn,
  logicalId,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';

/**
 * `PipelineStateMachine` (src/constructs/pipeline-state-machine.ts) in the staging template: the
 * workflow, its logging, tracing and encryption, and the definition deployed unchanged.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('state machine', () => {
  it('is the standard workflow listing-media-processing-staging, with the spec’s role, every log level and X-Ray', () => {
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'listing-media-processing-staging',
      StateMachineType: 'STANDARD',
      RoleArn: getAtt(synth.stack.roles.stepFunctions),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: getAtt(synth.stack.workflow.logGroup) } },
        ],
      },
    });
    synth.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/listing-media-processing-staging',
      RetentionInDays: 365,
      KmsKeyId: keyArn(),
    });
  });

  it('encrypts its definition and execution data with the key, a data key reused 5 minutes', () => {
    synth.template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    synth.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      EncryptionConfiguration: Match.exact({
        Type: 'CUSTOMER_MANAGED_KMS_KEY',
        KmsKeyId: keyArn(),
        KmsDataKeyReusePeriodSeconds: 300,
      }),
    });
  });

  it('deploys definition.asl.json unchanged, every placeholder substituted by CloudFormation', () => {
    const { functions } = synth.stack.functions;
    const props =
      synth.template.toJSON()['Resources'][logicalId(synth.stack.workflow.stateMachine)][
        'Properties'
      ];

    expect(props['DefinitionString']).toBe(DEFINITION_TEXT);
    expect(Object.keys(props['DefinitionSubstitutions']).sort()).toEqual(
      [...DEFINITION_PLACEHOLDERS].sort(),
    );
    expect(props['DefinitionSubstitutions']).toEqual({
      ValidateFunctionArn: getAtt(functions.validate),
      ThumbnailsFunctionArn: getAtt(functions.thumbnails),
      TranscodeFunctionArn: getAtt(functions.transcode),
      ZipFunctionArn: getAtt(functions.zip),
      ConsolidateFunctionArn: getAtt(functions.consolidate),
      CallbackFunctionArn: getAtt(functions.callback),
      MediaConvertRoleArn: getAtt(synth.stack.roles.mediaConvert),
    });
  });

  it('renders at most 20 photos and transcodes at most 5 videos per execution (the concurrency the README counts on)', () => {
    const definition = JSON.parse(
      synth.template.toJSON()['Resources'][logicalId(synth.stack.workflow.stateMachine)][
        'Properties'
      ]['DefinitionString'] as string,
    ) as { States: Record<string, { Branches?: { States: Record<string, unknown> }[] }> };
    const maps = Object.values(definition.States)
      .flatMap((state) => state.Branches ?? [])
      .flatMap((branch) => Object.entries(branch.States))
      .filter(([, state]) => (state as { Type: string }).Type === 'Map')
      .map(([name, state]) => [name, (state as { MaxConcurrency: number }).MaxConcurrency]);

    expect(Object.fromEntries(maps)).toEqual({ RenderPhotos: 20, TranscodeVideos: 5 });
  });
});
