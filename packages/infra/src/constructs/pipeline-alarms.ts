import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  /** `toq-media-processing-alarms-{stage}`. */
  readonly topicName: string;
  /** The two alarms' names. */
  readonly deadLetterAlarmName: string;
  readonly failedExecutionsAlarmName: string;
  readonly key: kms.IKey;
  readonly deadLetterQueue: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
  /** Subscribed to the topic when given. */
  readonly email?: string | undefined;
}

/**
 * Two alarms, both to one encrypted SNS topic: a message in the DLQ (a request that `start`
 * could not start five times) and a failed execution (consolidate or callback gave up).
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly failedExecutionsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }
    const period = Duration.minutes(5);
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmName: props.deadLetterAlarmName,
      alarmDescription: 'A processing request reached the DLQ: start failed on it 5 times.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedExecutionsAlarm = new cloudwatch.Alarm(this, 'FailedExecutions', {
      alarmName: props.failedExecutionsAlarmName,
      alarmDescription: 'An execution failed: the listing may not have been called back.',
      metric: props.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.deadLetterAlarm, this.failedExecutionsAlarm]) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
    }
    // A topic policy replaces SNS's default one, so with only the TLS-only Deny nothing could
    // publish: CloudWatch may, for these two alarms of this account alone (no confused deputy).
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: {
            'aws:SourceArn': [props.deadLetterAlarmName, props.failedExecutionsAlarmName].map(
              (name) => `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`,
            ),
          },
        },
      }),
    );
  }
}
