import {
  Annotations,
  CfnOutput,
  RemovalPolicy,
  Stack,
  Tags,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import { functionLogGroupName, pipelineArns, stateMachineLogGroupName } from './arns.ts';
import { allAlarmNames, type PipelineConfig } from './config.ts';
import { IngestQueue } from './constructs/ingest-queue.ts';
import { MediaBucket } from './constructs/media-bucket.ts';
import { MediaKey } from './constructs/media-key.ts';
import { PipelineAlarms } from './constructs/pipeline-alarms.ts';
import { PipelineDashboard } from './constructs/pipeline-dashboard.ts';
import { PipelineFunctions } from './constructs/pipeline-functions.ts';
import { PipelineRoles } from './constructs/pipeline-roles.ts';
import { PipelineStateMachine } from './constructs/pipeline-state-machine.ts';

/** The project's cost-allocation tag value, on every resource with `stage` and `component`. */
export const PROJECT_TAG = 'toq-media';

/** Props of {@link MediaPipelineStack}. */
export interface MediaPipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
  /** `packages/lambdas/dist`, where `nx run lambdas:build` puts one directory per function. */
  readonly bundleRoot: string;
}

/**
 * Everything in the spec's §1 for one stage: key, buckets, queues, roles, webhook secret,
 * functions, state machine and alarms; the outputs the backend is configured with; the
 * cost-allocation tags (`project`, `stage`, `component`) on every resource that takes tags.
 */
export class MediaPipelineStack extends Stack {
  readonly config: PipelineConfig;
  readonly key: MediaKey;
  readonly media: MediaBucket;
  readonly ingest: IngestQueue;
  readonly roles: PipelineRoles;
  readonly webhookSecret: secretsmanager.Secret;
  readonly functions: PipelineFunctions;
  readonly workflow: PipelineStateMachine;
  readonly alarms: PipelineAlarms;
  readonly dashboard: PipelineDashboard;

  constructor(scope: Construct, id: string, props: MediaPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const { names } = config;
    const arns = pipelineArns(this, names);

    this.key = new MediaKey(this, 'Key', {
      alias: names.keyAlias,
      logGroupNamePatterns: [
        ...Object.values(names.functions).map(functionLogGroupName),
        stateMachineLogGroupName(names.stateMachine),
      ],
      // By name, not reference: the topic is encrypted with the key and the alarms publish to
      // it, so the key's policy referring to either would be a dependency cycle.
      alarmTopicName: names.alarmTopic,
      alarmNames: allAlarmNames(config.alarms),
    });
    const key = this.key.key;
    this.media = new MediaBucket(this, 'Media', {
      bucketName: names.mediaBucket,
      logBucketName: names.logBucket,
      key,
    });
    this.ingest = new IngestQueue(this, 'Ingest', {
      queueName: names.queue,
      deadLetterQueueName: names.deadLetterQueue,
      key,
    });
    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      secretName: names.webhookSecret,
      description:
        'Standard Webhooks signing secret of the listing.media.processed webhook (whsec_… or bare base64), shared with the backend',
      encryptionKey: key,
      // 64 characters of [A-Za-z0-9] are valid base64 (48 random bytes): a usable key from the
      // first deploy. Replace it with the whsec_… value shared with the backend (README).
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // The backend verifies with this value: a rollback or a deleted stack must not take it
      // away (a new one would break every webhook until the backend is reconfigured).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The webhook signing secret is shared with the backend, which verifies with it: rotating it is a coordinated change (Standard Webhooks lets the sender sign with old and new keys during the switch), not an automatic Lambda rotation',
    });
    this.roles = new PipelineRoles(this, 'Roles', {
      names,
      arns,
      bucket: this.media.bucket,
      key,
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      webhookSecret: this.webhookSecret,
    });
    this.media.protectRawUploads([
      this.roles.lambda,
      this.roles.stepFunctions,
      this.roles.mediaConvert,
    ]);

    this.functions = new PipelineFunctions(this, 'Functions', {
      config,
      bundleRoot: props.bundleRoot,
      role: this.roles.lambda,
      key,
      bucket: this.media.bucket,
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      webhookSecret: this.webhookSecret,
      stateMachineArn: arns.stateMachine,
    });
    this.workflow = new PipelineStateMachine(this, 'Workflow', {
      stateMachineName: names.stateMachine,
      role: this.roles.stepFunctions,
      mediaConvertRole: this.roles.mediaConvert,
      functions: this.functions.functions,
      key,
    });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      topicName: names.alarmTopic,
      alarmNames: config.alarms,
      stage: names.stage,
      key,
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      stateMachine: this.workflow.stateMachine,
      functions: this.functions.functions,
      email: config.alarmEmail,
    });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      dashboardName: config.dashboardName,
      stage: names.stage,
      itemFailureRate: this.alarms.itemFailureRate,
      alarms: [...this.alarms.alarms.values()],
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      stateMachine: this.workflow.stateMachine,
      functions: this.functions.functions,
    });
    this.addCostAllocationTags(names.stage);
    this.addOutputs(names.stage);
    if (config.callbackAllowedHosts.length === 0) {
      Annotations.of(this).addInfo(
        'callbackAllowedHosts is empty: the callback function will refuse every webhook URL. Deploy with --context callbackAllowedHosts=api.example.com',
      );
    }
  }
  /**
   * `project` and `stage` on everything, and per part of the pipeline a `component`, so that the
   * bill splits by stage and by what costs (storage, functions, workflow…).
   */
  private addCostAllocationTags(stage: string): void {
    Tags.of(this).add('project', PROJECT_TAG);
    Tags.of(this).add('stage', stage);
    const components: readonly [IConstruct, string][] = [
      [this.key, 'encryption'],
      [this.media, 'storage'],
      [this.ingest, 'ingest'],
      [this.webhookSecret, 'webhook'],
      [this.roles, 'access'],
      [this.functions, 'functions'],
      [this.workflow, 'workflow'],
      [this.alarms, 'alarms'],
      [this.dashboard, 'alarms'],
    ];
    for (const [part, component] of components) Tags.of(part).add('component', component);
  }

  /** What the backend (and whoever operates the stage) needs to find the pipeline. */
  private addOutputs(stage: string): void {
    const outputs: Record<string, { value: string; description: string }> = {
      QueueUrl: {
        value: this.ingest.queue.queueUrl,
        description: `Where the backend sends processing requests (${stage})`,
      },
      DeadLetterQueueUrl: {
        value: this.ingest.deadLetterQueue.queueUrl,
        description: `Requests that could not be started, with their reason (${stage})`,
      },
      MediaBucketName: {
        value: this.media.bucket.bucketName,
        description: `Raw uploads, renditions, zips and execution records (${stage})`,
      },
      StateMachineArn: {
        value: this.workflow.stateMachine.stateMachineArn,
        description: `The listing media workflow, for describing executions (${stage})`,
      },
      BackendRoleArn: {
        value: this.roles.backend.roleArn,
        description: `The backend's IAM role (${stage})`,
      },
      BackendInstanceProfileName: {
        value: this.roles.backendInstanceProfile.instanceProfileName,
        description: `The instance profile to attach to the backend's EC2 instances (${stage})`,
      },
      BackendInstanceProfileArn: {
        value: this.roles.backendInstanceProfile.instanceProfileArn,
        description: `The backend's instance profile ARN (${stage})`,
      },
      WebhookSecretArn: {
        value: this.webhookSecret.secretArn,
        description: `The webhook signing secret the backend verifies with (${stage})`,
      },
    };
    for (const [id, props] of Object.entries(outputs)) new CfnOutput(this, id, props);
  }
}
