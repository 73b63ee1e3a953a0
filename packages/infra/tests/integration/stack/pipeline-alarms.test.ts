import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_IDS } from '@toq/lambdas/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  arn,
  getAtt,
  keyArn,
  ref,
  STAGING_ALARM_NAMES,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';

/**
 * `PipelineAlarms` (src/constructs/pipeline-alarms.ts) and `PipelineDashboard`
 * (src/constructs/pipeline-dashboard.ts) in the staging template: the encrypted topic, every
 * alarm, the policy that lets them publish, and the dashboard.
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

interface Resource {
  Properties: Record<string, unknown>;
}
const alarmsByName = () =>
  new Map(
    Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => [
      (alarm as Resource).Properties['AlarmName'] as string,
      (alarm as Resource).Properties,
    ]),
  );

describe('alarms', () => {
  it('are exactly the staging alarms, each to the encrypted alarm topic, missing data not breaching', () => {
    const topic = ref(synth.stack.alarms.topic);
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'toq-media-processing-alarms-staging',
      KmsMasterKeyId: keyArn(),
    });
    const alarms = alarmsByName();

    expect([...alarms.keys()].sort()).toEqual([...STAGING_ALARM_NAMES].sort());
    for (const [name, props] of alarms) {
      expect(props['AlarmActions'], name).toEqual([topic]);
      expect(props['TreatMissingData'], name).toBe('notBreaching');
      expect(props['ComparisonOperator'], name).toBe('GreaterThanOrEqualToThreshold');
      expect(String(props['AlarmDescription']), name).toMatch(/Missing data: .+/);
    }
  });

  it('page on the item failure rate: ≥ 20 % of ≥ 20 items over 15 minutes, Stage-only metrics, missing series filled with 0', () => {
    const props = alarmsByName().get('toq-media-processing-item-failure-rate-staging');

    expect(props).toMatchObject({
      Threshold: 20,
      EvaluationPeriods: 1,
      Metrics: [
        {
          Id: 'expr_1',
          Expression:
            'IF((FILL(failed, 0) + FILL(succeeded, 0)) >= 20, 100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(succeeded, 0)), 0)',
          ReturnData: true,
        },
        {
          Id: 'failed',
          MetricStat: {
            Metric: {
              Namespace: 'TOQ/MediaPipeline',
              MetricName: 'ItemFailed',
              Dimensions: [{ Name: 'Stage', Value: 'staging' }],
            },
            Period: 900,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'succeeded',
          MetricStat: {
            Metric: {
              Namespace: 'TOQ/MediaPipeline',
              MetricName: 'ItemSucceeded',
              Dimensions: [{ Name: 'Stage', Value: 'staging' }],
            },
            Period: 900,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    });
  });

  it.each(FUNCTION_IDS)(
    'page on %s’s errors (≥ 5 in 5 minutes) and lasting throttles (≥ 10 in each of 3 periods of 5 minutes)',
    (fn) => {
      const alarms = alarmsByName();
      const fnRef = ref(synth.stack.functions.functions[fn]);

      expect(alarms.get(`toq-media-processing-${fn}-errors-staging`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 5,
        EvaluationPeriods: 1,
      });
      expect(alarms.get(`toq-media-processing-${fn}-throttles-staging`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 10,
        EvaluationPeriods: 3,
      });
    },
  );

  it('page on the ingest queue’s oldest message (10 minutes) and on any message in the DLQ', () => {
    const alarms = alarmsByName();

    expect(alarms.get('toq-media-processing-queue-age-staging')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(synth.stack.ingest.queue, 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 600,
    });
    expect(alarms.get('toq-media-processing-dlq-messages-staging')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: getAtt(synth.stack.ingest.deadLetterQueue, 'QueueName') },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  it.each([
    ['toq-media-processing-failed-executions-staging', 'ExecutionsFailed'],
    ['toq-media-processing-timed-out-executions-staging', 'ExecutionsTimedOut'],
    ['toq-media-processing-aborted-executions-staging', 'ExecutionsAborted'],
  ])('%s: page on one execution that ended so (%s)', (name, metric) => {
    expect(alarmsByName().get(name)).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: metric,
      Dimensions: [{ Name: 'StateMachineArn', Value: ref(synth.stack.workflow.stateMachine) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
  });

  it('may reach someone: the topic policy lets CloudWatch publish for every one of these alarms of this account only', () => {
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
                'aws:SourceArn': STAGING_ALARM_NAMES.map((name) =>
                  arn('cloudwatch', `alarm:${name}`),
                ),
              },
            },
          },
        ]),
      },
    });
  });
});

describe('dashboard', () => {
  /** The dashboard body with its CloudFormation references replaced by their logical ids. */
  const body = () => {
    const dashboards = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const props = (dashboards[0] as Resource).Properties;
    expect(props['DashboardName']).toBe('toq-media-processing-staging');
    const parts = (props['DashboardBody'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
        return ref.Ref ?? ref['Fn::GetAtt']?.[0] ?? JSON.stringify(part);
      })
      .join('');
    return JSON.parse(text) as {
      widgets: {
        type: string;
        properties: { title: string; region?: string; metrics?: unknown[][]; alarms?: string[] };
      }[];
    };
  };

  it('is toq-media-processing-staging, every widget in us-east-1, with the alarms’ states first', () => {
    const { widgets } = body();
    const [first, ...graphs] = widgets;

    expect(first?.properties.title).toBe('Alarms');
    expect(first?.properties.alarms).toHaveLength(STAGING_ALARM_NAMES.length);
    expect(graphs.map((w) => w.properties.region)).toEqual(graphs.map(() => 'us-east-1'));
    expect(graphs.map((w) => w.properties.title)).toEqual([
      'Items by outcome',
      'Items succeeded by media type',
      'Items failed by media type and error code',
      'Listings by status',
      'Webhooks',
      'Photo render time (ms)',
      'Lambda errors',
      'Lambda throttles',
      'Lambda duration p90 (ms)',
      'Ingest queue',
      'Dead-letter queue',
      'Executions',
    ]);
  });

  it('draws the custom metrics of the staging stage, by their breakdowns', () => {
    const metrics = new Map(body().widgets.map((w) => [w.properties.title, w.properties.metrics]));
    const names = (title: string) =>
      (metrics.get(title) ?? []).map((m) => m.filter((part) => typeof part === 'string').join(' '));

    expect(names('Items succeeded by media type')).toEqual([
      'TOQ/MediaPipeline ItemSucceeded MediaType photo Stage staging',
      'TOQ/MediaPipeline ItemSucceeded MediaType video Stage staging',
    ]);
    expect(JSON.stringify(metrics.get('Items failed by media type and error code'))).toContain(
      `SEARCH('{TOQ/MediaPipeline,Stage,MediaType,ErrorCode} MetricName=\\"ItemFailed\\" Stage=\\"staging\\"', 'Sum', 300)`,
    );
    expect(names('Listings by status')).toEqual(
      ['succeeded', 'partial', 'failed'].map(
        (status) => `TOQ/MediaPipeline ListingCompleted Stage staging Status ${status}`,
      ),
    );
    expect(names('Webhooks')).toEqual([
      'TOQ/MediaPipeline WebhookDelivered Stage staging',
      'TOQ/MediaPipeline WebhookFailed Stage staging',
      'TOQ/MediaPipeline WebhookLatency Stage staging',
      'TOQ/MediaPipeline WebhookLatency Stage staging',
    ]);
    const stats = (title: string) =>
      (metrics.get(title) ?? []).map((m) => (m.at(-1) as { stat?: string }).stat);
    expect(stats('Webhooks')).toEqual(['Sum', 'Sum', 'p50', 'p90']);
    expect(stats('Photo render time (ms)')).toEqual(['p50', 'p90']);
  });

  it('draws every function’s errors, throttles and duration, the queues and the executions', () => {
    const metrics = new Map(body().widgets.map((w) => [w.properties.title, w.properties.metrics]));
    const names = (title: string) =>
      (metrics.get(title) ?? []).map((m) => m.filter((part) => typeof part === 'string').join(' '));

    for (const [title, metric] of [
      ['Lambda errors', 'Errors'],
      ['Lambda throttles', 'Throttles'],
      ['Lambda duration p90 (ms)', 'Duration'],
    ] as const) {
      expect(names(title)).toHaveLength(FUNCTION_IDS.length);
      expect(
        names(title).every((line) => line.startsWith(`AWS/Lambda ${metric} FunctionName`)),
      ).toBe(true);
    }
    expect(names('Ingest queue').map((line) => line.split(' ')[1])).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
    ]);
    expect(names('Dead-letter queue').map((line) => line.split(' ')[1])).toEqual([
      'ApproximateNumberOfMessagesVisible',
    ]);
    expect(names('Executions').map((line) => line.split(' ')[1])).toEqual([
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]);
  });
});
