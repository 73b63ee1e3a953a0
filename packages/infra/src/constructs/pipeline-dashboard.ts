import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
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
import { stageMetric } from './pipeline-alarms.ts';

/** Props of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  /** `toq-media-processing-{stage}`. */
  readonly dashboardName: string;
  /** The `Stage` dimension's value of the pipeline's custom metrics. */
  readonly stage: string;
  readonly itemFailureRate: cloudwatch.IMetric;
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
}

const PERIOD = Duration.minutes(5);
const MEDIA_TYPES = ['photo', 'video'] as const;
const LISTING_STATUSES = ['succeeded', 'partial', 'failed'] as const;
const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard per stage, top to bottom: the alarms' states; items and listings
 * (the pipeline's custom metrics); the webhook and render times; the functions; the queues and
 * the executions.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const { stage } = props;
    // The stack's region, literal in the body (a widget's default is the AWS::Region token).
    const { region } = Stack.of(this);
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, region, width: WIDTH, height: HEIGHT });
    const perFunction = (
      title: string,
      metric: (fn: lambda.IFunction, options: cloudwatch.MetricOptions) => cloudwatch.IMetric,
      statistic: string,
    ): cloudwatch.GraphWidget =>
      graph(
        title,
        FUNCTION_IDS.map((fn) =>
          metric(props.functions[fn], { period: PERIOD, statistic, label: fn }),
        ),
      );
    const percentiles = (metric: keyof typeof PIPELINE_METRICS) =>
      (['p50', 'p90'] as const).map((statistic) =>
        stageMetric(stage, metric, { period: PERIOD, statistic, label: statistic }),
      );
    // ItemFailed's breakdown is by media type and error code together: a search draws every
    // combination that occurred, without listing error codes here.
    const failuresByTypeAndCode = new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${STAGE_DIMENSION},${PIPELINE_METRICS.itemFailed.breakdown.join(',')}} MetricName="${PIPELINE_METRICS.itemFailed.name}" ${STAGE_DIMENSION}="${stage}"', 'Sum', ${PERIOD.toSeconds()})`,
      label: '',
      period: PERIOD,
    });
    const sum = { period: PERIOD, statistic: cloudwatch.Stats.SUM };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...props.alarms],
            width: 24,
            height: 4,
          }),
        ],
        [
          graph(
            'Items by outcome',
            [
              stageMetric(stage, 'itemSucceeded', { period: PERIOD, label: 'succeeded' }),
              stageMetric(stage, 'itemFailed', { period: PERIOD, label: 'failed' }),
            ],
            [props.itemFailureRate],
          ),
          graph(
            'Items succeeded by media type',
            MEDIA_TYPES.map((type) =>
              stageMetric(
                stage,
                'itemSucceeded',
                { period: PERIOD, label: type },
                { MediaType: type },
              ),
            ),
          ),
          graph('Items failed by media type and error code', [failuresByTypeAndCode]),
        ],
        [
          graph(
            'Listings by status',
            LISTING_STATUSES.map((status) =>
              stageMetric(
                stage,
                'listingCompleted',
                { period: PERIOD, label: status },
                { Status: status },
              ),
            ),
          ),
          graph(
            'Webhooks',
            [
              stageMetric(stage, 'webhookDelivered', { period: PERIOD, label: 'delivered' }),
              stageMetric(stage, 'webhookFailed', { period: PERIOD, label: 'failed' }),
            ],
            percentiles('webhookLatency').map((metric) =>
              metric.with({ label: `latency ${metric.statistic} (ms)` }),
            ),
          ),
          graph(
            'Photo render time (ms)',
            percentiles('photoRenderTime').map((metric) =>
              metric.with({ label: `render ${metric.statistic}` }),
            ),
          ),
        ],
        [
          perFunction('Lambda errors', (fn, o) => fn.metricErrors(o), cloudwatch.Stats.SUM),
          perFunction('Lambda throttles', (fn, o) => fn.metricThrottles(o), cloudwatch.Stats.SUM),
          perFunction('Lambda duration p90 (ms)', (fn, o) => fn.metricDuration(o), 'p90'),
        ],
        [
          graph(
            'Ingest queue',
            [
              props.queue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                statistic: cloudwatch.Stats.MAXIMUM,
                label: 'waiting',
              }),
              props.queue.metricApproximateNumberOfMessagesNotVisible({
                period: PERIOD,
                statistic: cloudwatch.Stats.MAXIMUM,
                label: 'in flight',
              }),
            ],
            [
              props.queue.metricApproximateAgeOfOldestMessage({
                period: PERIOD,
                statistic: cloudwatch.Stats.MAXIMUM,
                label: 'oldest message age (s)',
              }),
            ],
          ),
          graph('Dead-letter queue', [
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'messages',
            }),
          ]),
          graph('Executions', [
            props.stateMachine.metricStarted({ ...sum, label: 'started' }),
            props.stateMachine.metricSucceeded({ ...sum, label: 'succeeded' }),
            props.stateMachine.metricFailed({ ...sum, label: 'failed' }),
            props.stateMachine.metricTimedOut({ ...sum, label: 'timed out' }),
            props.stateMachine.metricAborted({ ...sum, label: 'aborted' }),
          ]),
        ],
      ],
    });
  }
}
