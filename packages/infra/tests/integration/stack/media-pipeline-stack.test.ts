import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnResource, TagManager } from 'aws-cdk-lib';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPipelineApp } from '../../../src/app.ts';
import {
  arn,
  getAtt,
  keyArn,
  logicalId,
  ref,
  stagingSynth,
  type StagingSynth,
} from '../../support/staging.ts';
import { ENV, renderer } from '../../support/synth.ts';

/**
 * What `MediaPipelineStack` (src/media-pipeline-stack.ts) holds beyond its constructs: the
 * account and region it deploys to, the webhook signing secret, the stage suffix on every
 * name, the outputs and the cost-allocation tags. The constructs' resources are asserted in the other files of this folder, against the
 * same synth (support/staging.ts).
 */

let synth: StagingSynth;
beforeAll(() => {
  synth = stagingSynth();
});

describe('deployment environment', () => {
  // The CLI sets these from the credentials in use: here, credentials for some other account.
  const cliEnvironment = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-west-1' };
  const stackUnderCli = (stage: string) => {
    for (const [name, value] of Object.entries(cliEnvironment)) vi.stubEnv(name, value);
    const outdir = mkdtempSync(join(tmpdir(), 'toq-infra-env-'));
    try {
      const { stack } = createPipelineApp({ context: { stage }, outdir });
      return { account: stack.account, region: stack.region };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  };
  afterEach(() => vi.unstubAllEnvs());

  it('binds staging to account 058264253741 in us-east-1 (spec §1), in the template too', () => {
    const artifact = synth.assembly.getStackByName(synth.stack.stackName);

    expect(artifact.environment).toEqual({
      account: ENV.account,
      region: ENV.region,
      name: `aws://${ENV.account}/${ENV.region}`,
    });
    const template = JSON.stringify(synth.template.toJSON());
    expect(template).not.toMatch(/AWS::(AccountId|Region)/);
    expect(template).toContain(`:${ENV.region}:${ENV.account}:`);
  });

  it('keeps staging there whatever account and region the CLI’s credentials are for', () => {
    expect(stackUnderCli('staging')).toEqual(ENV);
  });

  it('lets any other stage deploy where the CLI’s credentials point', () => {
    expect(stackUnderCli('qa')).toEqual({ account: '111111111111', region: 'eu-west-1' });
  });
});

describe('webhook signing secret', () => {
  it('is encrypted with the key and generated as 64 base64-safe characters', () => {
    synth.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'toq-media-processing-webhook-signing-staging',
      KmsKeyId: keyArn(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('is readable only through the callback-conditioned statement', () => {
    const secretRef = ref(synth.stack.webhookSecret);
    const readers = Object.values(synth.template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy['Properties']['PolicyDocument']['Statement'] as Record<string, unknown>[]).filter(
          (s) => JSON.stringify(s['Resource']) === JSON.stringify(secretRef),
        ),
    );

    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatchObject({
      Condition: {
        ArnEquals: {
          'lambda:SourceFunctionArn': arn('lambda', 'function:listing-media-callback-staging'),
        },
      },
    });
  });
});

describe('names', () => {
  it('every named resource carries the stage suffix (the media bucket keeps the spec’s name in staging)', () => {
    const render = renderer(synth.stack);
    const nameKeys = [
      'BucketName',
      'QueueName',
      'RoleName',
      'FunctionName',
      'StateMachineName',
      'Name',
      'TopicName',
      'AlarmName',
      'AliasName',
      'LogGroupName',
      'InstanceProfileName',
    ];
    const names = Object.values(
      synth.template.toJSON()['Resources'] as Record<
        string,
        { Properties?: Record<string, unknown> }
      >,
    )
      .flatMap((resource) => nameKeys.map((k) => resource.Properties?.[k]))
      .filter(
        (name): name is string =>
          typeof render(name) === 'string' && !String(render(name)).startsWith('<'),
      );

    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(
      names.filter((name) => !name.endsWith('-staging') && name !== 'toq-listing-medias'),
    ).toEqual([]);
  });
});

describe('outputs', () => {
  it('give the backend its queue, DLQ, bucket, state machine, role, instance profile and secret, each described', () => {
    const { stack } = synth;
    const outputs = synth.template.toJSON()['Outputs'] as Record<
      string,
      { Value: unknown; Description?: string }
    >;

    expect(
      Object.fromEntries(Object.entries(outputs).map(([id, output]) => [id, output.Value])),
    ).toEqual({
      QueueUrl: ref(stack.ingest.queue),
      DeadLetterQueueUrl: ref(stack.ingest.deadLetterQueue),
      MediaBucketName: ref(stack.media.bucket),
      StateMachineArn: ref(stack.workflow.stateMachine),
      BackendRoleArn: getAtt(stack.roles.backend),
      BackendInstanceProfileName: ref(stack.roles.backendInstanceProfile),
      BackendInstanceProfileArn: getAtt(stack.roles.backendInstanceProfile),
      WebhookSecretArn: ref(stack.webhookSecret),
    });
    for (const [id, output] of Object.entries(outputs)) {
      expect(output.Description, id).toMatch(/^[A-Z].{20,} \(staging\)$/);
    }
  });
});

describe('cost-allocation tags', () => {
  /** A resource's tags as a map, whichever of CloudFormation's two shapes its type uses. */
  const tagsOf = (resource: { Properties?: Record<string, unknown> }) => {
    const tags = resource.Properties?.['Tags'];
    if (Array.isArray(tags)) {
      return Object.fromEntries(
        (tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
      );
    }
    return (tags ?? {}) as Record<string, string>;
  };

  it('puts project, stage and its component on every taggable resource', () => {
    const resources = synth.template.toJSON()['Resources'] as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    const taggable = synth.stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .filter((node) => TagManager.isTaggable(node) || TagManager.isTaggableV2(node));
    const tagged = Object.fromEntries(
      taggable.map((node) => {
        const id = synth.stack.getLogicalId(node);
        const { project, stage, component } = tagsOf(resources[id] ?? {});
        return [node.node.path, { project, stage, component }];
      }),
    );

    expect(taggable.length).toBeGreaterThanOrEqual(30);
    for (const [path, tags] of Object.entries(tagged)) {
      expect(tags, path).toEqual({
        project: 'toq-media',
        stage: 'staging',
        component: expect.stringMatching(/^[a-z]+$/),
      });
    }
    expect(tagsOf(resources[logicalId(synth.stack.media.bucket)] ?? {})['component']).toBe(
      'storage',
    );
    expect(tagsOf(resources[logicalId(synth.stack.workflow.stateMachine)] ?? {})['component']).toBe(
      'workflow',
    );
  });
});
