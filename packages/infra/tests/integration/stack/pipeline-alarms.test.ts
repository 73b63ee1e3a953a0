import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import { getAtt, keyArn, ref, stagingSynth, type StagingSynth } from '../../support/staging.ts';

/**
 * `PipelineAlarms` (src/constructs/pipeline-alarms.ts) in the staging template: the encrypted
 * topic and the two alarms.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('alarms', () => {
  it('fire on a message in the DLQ and on a failed execution, to the encrypted alarm topic', () => {
    const topic = ref(synth.stack.alarms.topic);
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'toq-media-processing-alarms-staging',
      KmsMasterKeyId: keyArn(),
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'listing-media-processing-dlq-messages-staging',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: getAtt(synth.stack.ingest.deadLetterQueue, 'QueueName') },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'listing-media-processing-failed-executions-staging',
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: ref(synth.stack.workflow.stateMachine) }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
  });

  it('may reach someone: the topic policy lets CloudWatch publish for these two alarms of this account only', () => {
    const alarm = (name: string) => `arn:aws:cloudwatch:us-east-1:058264253741:alarm:${name}`;
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(synth.stack.alarms.topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: ref(synth.stack.alarms.topic),
            Condition: {
              StringEquals: { 'aws:SourceAccount': '058264253741' },
              ArnLike: {
                'aws:SourceArn': [
                  alarm('listing-media-processing-dlq-messages-staging'),
                  alarm('listing-media-processing-failed-executions-staging'),
                ],
              },
            },
          },
        ]),
      },
    });
  });
});
