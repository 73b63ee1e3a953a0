import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_IDS } from '@toq/lambdas/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  arn,
  keyArn,
  logicalId,
  STAGING_ALARM_NAMES,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';
import { ENV } from '../../support/synth.ts';

/**
 * `MediaKey` (src/constructs/media-key.ts) in the staging template: rotation, alias, and every
 * statement of the key policy.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('KMS key', () => {
  it('rotates yearly and has the alias alias/toq-media-processing-staging', () => {
    synth.template.resourceCountIs('AWS::KMS::Key', 1);
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Enabled: Match.absent(), // enabled (the default)
    });
    synth.template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/toq-media-processing-staging',
      TargetKeyId: keyArn(),
    });
  });

  const keyPolicy = () =>
    synth.template.toJSON()['Resources'][logicalId(synth.stack.key.key)]['Properties']['KeyPolicy'][
      'Statement'
    ] as Record<string, unknown>[];
  const statement = (sid: string) => keyPolicy().find((s) => s['Sid'] === sid);

  it('lets CloudWatch Logs use it for the pipeline’s log groups only, with the exact actions', () => {
    expect(statement('CloudWatchLogsEncryptsPipelineLogGroups')).toEqual({
      Sid: 'CloudWatchLogsEncryptsPipelineLogGroups',
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': [
            ...FUNCTION_IDS.map((fn) =>
              arn('logs', `log-group:/aws/lambda/listing-media-${fn}-staging`),
            ),
            arn('logs', 'log-group:/aws/vendedlogs/states/listing-media-processing-staging'),
          ],
        },
      },
    });
  });

  it('lets CloudWatch Logs delivery decrypt the encrypted state machine’s logs, for this account only', () => {
    expect(statement('LogDeliveryDecryptsStateMachineLogs')).toEqual({
      Sid: 'LogDeliveryDecryptsStateMachineLogs',
      Effect: 'Allow',
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': ENV.account },
        ArnLike: { 'aws:SourceArn': arn('logs', '*') },
      },
    });
  });

  it('lets CloudWatch use it for the pipeline’s alarms’ notifications to the alarm topic only', () => {
    expect(statement('CloudWatchAlarmsPublishToEncryptedTopic')).toEqual({
      Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'aws:SourceAccount': ENV.account,
          'kms:EncryptionContext:aws:sns:topicArn': arn(
            'sns',
            'toq-media-processing-alarms-staging',
          ),
        },
        ArnEquals: {
          'aws:SourceArn': STAGING_ALARM_NAMES.map((name) => arn('cloudwatch', `alarm:${name}`)),
        },
      },
    });
  });

  it('lets nobody create a grant but for an AWS service’s own resource (Control Tower CT.KMS.PR.3)', () => {
    expect(statement('DenyGrantsButForAwsServices')).toEqual({
      Sid: 'DenyGrantsButForAwsServices',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    });
  });

  it('gives no service a wildcard action or an unconditioned statement; the rest is the account’s', () => {
    const services = keyPolicy().filter((s) => (s['Principal'] as { Service?: string }).Service);
    const others = keyPolicy().filter(
      (s) => !services.includes(s) && s['Sid'] !== 'DenyGrantsButForAwsServices',
    );
    const actions = (s: Record<string, unknown>) => [s['Action']].flat() as string[];

    expect(services).toHaveLength(3);
    for (const s of services) {
      expect(
        actions(s).filter((a) => a.includes('*')),
        String(s['Sid']),
      ).toEqual([]);
      expect(s['Condition'], String(s['Sid'])).toBeDefined();
    }
    // CDK's own: the account's statement, and the webhook secret's grant to the account
    // through Secrets Manager (kms:ViaService), which the account's statement already covers.
    expect(others.map((s) => s['Principal'])).toEqual([
      { AWS: `arn:aws:iam::${ENV.account}:root` },
      { AWS: `arn:aws:iam::${ENV.account}:root` },
    ]);
  });
});
