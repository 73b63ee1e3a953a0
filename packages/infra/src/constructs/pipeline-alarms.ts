import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  FUNCTION_IDS,
  METRICS_NAMESPACE,
  PIPELINE_METRICS,
  STAGE_DIMENSION,
  type FunctionId,
} from '@toq/lambdas/pipeline';
import { alarmArns } from '../arns.ts';
import { allAlarmNames, type AlarmNames } from '../config.ts';

/**
 * When the item failure rate pages: over {@link ITEM_FAILURE_RATE.periodMinutes} minutes, at
 * least {@link ITEM_FAILURE_RATE.minimumItems} items recorded and at least
 * {@link ITEM_FAILURE_RATE.thresholdPercent} % of them failed. The minimum keeps one listing's
 * few broken uploads from paging (a failed item is often the user's file); a broken renderer or
 * a MediaConvert outage fails every item of its type, far above the threshold.
 */
export const ITEM_FAILURE_RATE = { periodMinutes: 15, minimumItems: 20, thresholdPercent: 20 };

/**
 * When a function's errors page: at least this many in 5 minutes. The functions throw only on
 * storage or service trouble (a bad file is a failed item, not an error), and the state machine
 * retries those, so a blip stays below it; a broken deploy or a lasting outage does not.
 */
export const FUNCTION_ERRORS_THRESHOLD = 5;

/**
 * When a function's throttles page: at least this many in each of 3 consecutive 5-minute
 * periods. A burst of listings throttles thumbnails for a while by design (its reserved
 * concurrency caps it; the state machine retries), so only lasting throttling pages.
 */
export const FUNCTION_THROTTLES = { threshold: 10, evaluationPeriods: 3 };

/**
 * When the queue's oldest message pages: 10 minutes. `start` takes a message within seconds;
 * one that fails is retried every 60 s (the visibility timeout) and leaves for the DLQ after 5
 * receives, so only a consumer that does not run (event source disabled, account throttled)
 * lets a message age this much.
 */
export const QUEUE_AGE_THRESHOLD_SECONDS = 600;

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  /** `toq-media-processing-alarms-{stage}`. */
  readonly topicName: string;
  readonly alarmNames: AlarmNames;
  /** The `Stage` dimension's value of the pipeline's custom metrics. */
  readonly stage: string;
  readonly key: kms.IKey;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
  /** Subscribed to the topic when given. */
  readonly email?: string | undefined;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The pipeline's alarms, all to one encrypted SNS topic: the item failure rate (items fail as
 * results, so executions succeed while every photo fails), each function's errors and
 * throttles, the ingest queue's oldest message, a message in the DLQ, and executions failed,
 * timed out or aborted.
 *
 * Every alarm treats missing data as not breaching: each metric here is published only when
 * something happens (an item recorded, an invocation, an execution ending, a queue in use), so
 * no data means nothing went wrong; each alarm's own reason is in its description.
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.Topic;
  /** Every alarm, by name. */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Failed items as a percentage of those recorded, which its alarm and the dashboard read. */
  readonly itemFailureRate: cloudwatch.MathExpression;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const names = props.alarmNames;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }
    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarm = (
      constructId: string,
      spec: {
        alarmName: string;
        description: string;
        metric: cloudwatch.IMetric;
        threshold: number;
        evaluationPeriods?: number;
      },
    ) => {
      const created = new cloudwatch.Alarm(this, constructId, {
        alarmName: spec.alarmName,
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      alarms.set(spec.alarmName, created);
    };
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    const maximum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM };

    this.itemFailureRate = itemFailureRate(props.stage);
    alarm('ItemFailureRate', {
      alarmName: names.itemFailureRate,
      description: `At least ${ITEM_FAILURE_RATE.thresholdPercent} % of the items recorded in ${ITEM_FAILURE_RATE.periodMinutes} minutes failed (with at least ${ITEM_FAILURE_RATE.minimumItems} items): renders or transcodes are failing while executions succeed. See the dashboard's failures by media type and error code. Missing data: no item was recorded, nothing failed.`,
      metric: this.itemFailureRate,
      threshold: ITEM_FAILURE_RATE.thresholdPercent,
    });
    for (const fn of FUNCTION_IDS) {
      const func = props.functions[fn];
      alarm(`${fn}-errors`, {
        alarmName: names.functionErrors[fn],
        description: `${fn} threw ${FUNCTION_ERRORS_THRESHOLD} errors or more in 5 minutes (storage or service trouble beyond retries, or a broken deploy). Missing data: not invoked, nothing failed.`,
        metric: func.metricErrors(sum),
        threshold: FUNCTION_ERRORS_THRESHOLD,
      });
      alarm(`${fn}-throttles`, {
        alarmName: names.functionThrottles[fn],
        description: `${fn} was throttled ${FUNCTION_THROTTLES.threshold} times or more in each of ${FUNCTION_THROTTLES.evaluationPeriods} periods of 5 minutes: the account's (or its reserved) concurrency is too low for the load. Missing data: not invoked, nothing throttled.`,
        metric: func.metricThrottles(sum),
        threshold: FUNCTION_THROTTLES.threshold,
        evaluationPeriods: FUNCTION_THROTTLES.evaluationPeriods,
      });
    }
    alarm('QueueAge', {
      alarmName: names.queueAge,
      description: `A processing request has waited ${QUEUE_AGE_THRESHOLD_SECONDS / 60} minutes or more in the ingest queue: start is not consuming it (event source disabled, start failing or throttled). Missing data: SQS publishes nothing for a queue unused for 6 hours, which has no waiting message.`,
      metric: props.queue.metricApproximateAgeOfOldestMessage(maximum),
      threshold: QUEUE_AGE_THRESHOLD_SECONDS,
    });
    alarm('DeadLetters', {
      alarmName: names.deadLetters,
      description:
        'A processing request reached the DLQ: it can never be a request, or start failed on it 5 times. Missing data: SQS publishes nothing for an unused, empty queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible(maximum),
      threshold: 1,
    });
    const { stateMachine } = props;
    const executionsEnded = [
      [
        'FailedExecutions',
        names.failedExecutions,
        'An execution failed: the listing may not have been called back.',
        stateMachine.metricFailed(sum),
      ],
      [
        'TimedOutExecutions',
        names.timedOutExecutions,
        'An execution timed out (its whole-execution TimeoutSeconds): the listing was not called back.',
        stateMachine.metricTimedOut(sum),
      ],
      [
        'AbortedExecutions',
        names.abortedExecutions,
        'An execution was stopped (StopExecution): the listing was not called back unless someone re-sent its request.',
        stateMachine.metricAborted(sum),
      ],
    ] as const;
    for (const [constructId, alarmName, what, metric] of executionsEnded) {
      alarm(constructId, {
        alarmName,
        description: `${what} Missing data: no execution ended so.`,
        metric,
        threshold: 1,
      });
    }
    this.alarms = alarms;

    // A topic policy replaces SNS's default one, so with only the TLS-only Deny nothing could
    // publish: CloudWatch may, for these alarms of this account alone (no confused deputy).
    const { account } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': alarmArns(this, allAlarmNames(names)) },
        },
      }),
    );
  }
}

/**
 * The pipeline's custom metric `metric` (a sum unless `options` says otherwise) over the
 * `Stage`-only dimension set, the aggregate the functions publish beside each breakdown; or,
 * with `breakdown`, over `Stage` and those dimensions.
 *
 * @example
 * stageMetric('staging', 'itemFailed', { period: Duration.minutes(5) });
 * stageMetric('staging', 'itemSucceeded', {}, { MediaType: 'photo' });
 */
export function stageMetric(
  stage: string,
  metric: keyof typeof PIPELINE_METRICS,
  options: cloudwatch.MetricOptions = {},
  breakdown: Readonly<Record<string, string>> = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: PIPELINE_METRICS[metric].name,
    dimensionsMap: { [STAGE_DIMENSION]: stage, ...breakdown },
    statistic: cloudwatch.Stats.SUM,
    ...options,
  });
}

/**
 * Failed items as a percentage of the items recorded, 0 below the minimum item count. FILL
 * makes a missing series 0: when every item fails, ItemSucceeded has no data point at all, and
 * without it the sum would be missing too and the alarm would never fire.
 */
function itemFailureRate(stage: string): cloudwatch.MathExpression {
  const period = Duration.minutes(ITEM_FAILURE_RATE.periodMinutes);
  const failed = 'FILL(failed, 0)';
  const all = `(FILL(failed, 0) + FILL(succeeded, 0))`;
  return new cloudwatch.MathExpression({
    expression: `IF(${all} >= ${ITEM_FAILURE_RATE.minimumItems}, 100 * ${failed} / ${all}, 0)`,
    usingMetrics: {
      failed: stageMetric(stage, 'itemFailed', { period }),
      succeeded: stageMetric(stage, 'itemSucceeded', { period }),
    },
    label: 'Item failure rate (%)',
    period,
  });
}
