import { describe, expect, it } from 'vitest';
import {
  BucketConfig,
  CallbackConfig,
  ConsolidateConfig,
  StartConfig,
  ThumbnailsConfig,
  ValidateConfig,
  loadConfig,
} from '../../src/config.ts';
import { ConfigurationError } from '../../src/domain/errors.ts';
import { METRICS_NAMESPACE } from '../../src/pipeline/metrics.ts';

const ARN = 'arn:aws:states:us-east-1:058264253741:stateMachine:listing-media-processing-staging';
const SECRET = 'arn:aws:secretsmanager:us-east-1:058264253741:secret:toq-webhook-AbCdEf';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/058264253741/listing-media-processing-dlq-staging';

function failure(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
  it('fails the cold start with "MEDIA_BUCKET is required" when the bucket is missing', () => {
    const error = failure(() => loadConfig(ConsolidateConfig, {}));

    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toBe('Invalid environment: MEDIA_BUCKET is required; STAGE is required');
  });

  it('names every wrong variable at once', () => {
    const error = failure(() =>
      loadConfig(CallbackConfig, { MEDIA_BUCKET: 'b', LOG_LEVEL: 'loud' }),
    );

    expect(error.message).toBe(
      'Invalid environment: LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, received "LOUD"; MEDIA_BUCKET must be an S3 bucket name, received "b"; STAGE is required; WEBHOOK_SECRET_ARN is required; CALLBACK_ALLOWED_HOSTS is required',
    );
  });

  it('reads start with its bucket, state machine, dead-letter queue and logging defaults', () => {
    const env = {
      MEDIA_BUCKET: 'toq-listing-medias',
      STATE_MACHINE_ARN: ARN,
      DEAD_LETTER_QUEUE_URL: DLQ,
    };
    expect(loadConfig(StartConfig, env)).toEqual({
      mediaBucket: 'toq-listing-medias',
      stateMachineArn: ARN,
      deadLetterQueueUrl: DLQ,
      logLevel: 'INFO',
      serviceName: 'listing-media',
    });
    const local = 'http://127.0.0.1:4566/000000000000/listing-media-processing-dlq-local';
    expect(
      loadConfig(StartConfig, { ...env, DEAD_LETTER_QUEUE_URL: local }).deadLetterQueueUrl,
    ).toBe(local);
    expect(() => loadConfig(StartConfig, { ...env, STATE_MACHINE_ARN: 'arn:aws:sqs:x' })).toThrow(
      /STATE_MACHINE_ARN must be a state machine ARN/,
    );
    expect(() => loadConfig(StartConfig, { ...env, MEDIA_BUCKET: undefined })).toThrow(
      'Invalid environment: MEDIA_BUCKET is required',
    );
  });

  it.each([
    ['missing', undefined, 'DEAD_LETTER_QUEUE_URL is required'],
    [
      'an ARN instead of a URL',
      'arn:aws:sqs:us-east-1:058264253741:listing-media-processing-dlq-staging',
      'DEAD_LETTER_QUEUE_URL must be an SQS queue URL (https://sqs.{region}.amazonaws.com/{account}/{name}), received "arn:aws:sqs:us-east-1:058264253741:listing-media-processing-dlq-staging"',
    ],
    [
      'a queue name alone',
      'listing-media-processing-dlq-staging',
      'DEAD_LETTER_QUEUE_URL must be an SQS queue URL (https://sqs.{region}.amazonaws.com/{account}/{name}), received "listing-media-processing-dlq-staging"',
    ],
  ])('fails start’s cold start when DEAD_LETTER_QUEUE_URL is %s', (_label, value, message) => {
    const error = failure(() =>
      loadConfig(StartConfig, {
        MEDIA_BUCKET: 'toq-listing-medias',
        STATE_MACHINE_ARN: ARN,
        DEAD_LETTER_QUEUE_URL: value,
      }),
    );

    expect(error.message).toBe(`Invalid environment: ${message}`);
  });

  it('reads validate with the default limits of 50 MiB and 5 GiB, or the configured ones', () => {
    expect(loadConfig(ValidateConfig, { MEDIA_BUCKET: 'toq-listing-medias' }).limits).toEqual({
      photo: 52_428_800,
      video: 5_368_709_120,
    });
    expect(
      loadConfig(ValidateConfig, {
        MEDIA_BUCKET: 'toq-listing-medias',
        MAX_PHOTO_BYTES: '1000',
        MAX_VIDEO_BYTES: '2000',
        LOG_LEVEL: 'debug',
      }),
    ).toMatchObject({ limits: { photo: 1000, video: 2000 }, logLevel: 'DEBUG' });
    expect(() =>
      loadConfig(ValidateConfig, { MEDIA_BUCKET: 'toq-listing-medias', MAX_PHOTO_BYTES: '-1' }),
    ).toThrow('MAX_PHOTO_BYTES must be a positive integer (bytes), received "-1"');
  });

  it('reads callback: the secret ARN and the host allowlist', () => {
    const config = loadConfig(CallbackConfig, {
      MEDIA_BUCKET: 'toq-listing-medias',
      STAGE: 'staging',
      WEBHOOK_SECRET_ARN: SECRET,
      CALLBACK_ALLOWED_HOSTS: ' api.toq.com.br, *.Example.com ,',
    });

    expect(config).toEqual({
      logLevel: 'INFO',
      serviceName: 'listing-media',
      mediaBucket: 'toq-listing-medias',
      metrics: { stage: 'staging', enabled: true },
      webhookSecretArn: SECRET,
      callbackAllowedHosts: ['api.toq.com.br', '*.example.com'],
    });
    expect(() =>
      loadConfig(CallbackConfig, {
        MEDIA_BUCKET: 'toq-listing-medias',
        WEBHOOK_SECRET_ARN: SECRET,
        CALLBACK_ALLOWED_HOSTS: 'https://api.toq.com.br/',
      }),
    ).toThrow(/CALLBACK_ALLOWED_HOSTS entries must be hosts such as api.example.com/);
  });

  it('takes IP addresses in the host allowlist, IPv6 with or without brackets', () => {
    const hosts = (value: string) =>
      loadConfig(CallbackConfig, {
        MEDIA_BUCKET: 'toq-listing-medias',
        STAGE: 'staging',
        WEBHOOK_SECRET_ARN: SECRET,
        CALLBACK_ALLOWED_HOSTS: value,
      }).callbackAllowedHosts;

    expect(hosts('203.0.113.7, 2606:4700:4700::1111, [2001:DB8::1]')).toEqual([
      '203.0.113.7',
      '2606:4700:4700::1111',
      '[2001:db8::1]',
    ]);
    expect(() => hosts('2606:4700::1111::1')).toThrow(
      'CALLBACK_ALLOWED_HOSTS entries must be hosts such as api.example.com or *.example.com, or IP addresses such as 2001:db8::1, received "2606:4700::1111::1"',
    );
    expect(() => hosts('[fe80::1%eth0]')).toThrow(/received "\[fe80::1%eth0\]"/);
  });

  it('has no local switch: the former LOCAL_MEDIA_ROOT, S3_FORCE_PATH_STYLE and CALLBACK_ALLOW_LOOPBACK are ignored, whatever their value', () => {
    const formerSwitches = {
      LOCAL_MEDIA_ROOT: 'local-bucket',
      S3_FORCE_PATH_STYLE: 'yes',
      CALLBACK_ALLOW_LOOPBACK: 'true',
    };

    expect(
      loadConfig(BucketConfig, { MEDIA_BUCKET: 'toq-listing-medias', ...formerSwitches }),
    ).toEqual({
      logLevel: 'INFO',
      serviceName: 'listing-media',
      mediaBucket: 'toq-listing-medias',
    });
    expect(
      loadConfig(CallbackConfig, {
        MEDIA_BUCKET: 'toq-listing-medias',
        STAGE: 'staging',
        WEBHOOK_SECRET_ARN: SECRET,
        CALLBACK_ALLOWED_HOSTS: 'api.toq.com.br',
        ...formerSwitches,
      }),
    ).toEqual({
      logLevel: 'INFO',
      serviceName: 'listing-media',
      mediaBucket: 'toq-listing-medias',
      metrics: { stage: 'staging', enabled: true },
      webhookSecretArn: SECRET,
      callbackAllowedHosts: ['api.toq.com.br'],
    });
  });

  it.each([
    ['thumbnails', ThumbnailsConfig],
    ['consolidate', ConsolidateConfig],
  ])('reads %s with its metrics: the stage, on unless POWERTOOLS_METRICS_DISABLED', (_, schema) => {
    const env = { MEDIA_BUCKET: 'toq-listing-medias', STAGE: 'prod-2' };

    expect(loadConfig(schema, env).metrics).toEqual({ stage: 'prod-2', enabled: true });
    expect(
      loadConfig(schema, {
        ...env,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_METRICS_DISABLED: 'TRUE',
      }).metrics,
    ).toEqual({ stage: 'prod-2', enabled: false });
    expect(loadConfig(schema, { ...env, POWERTOOLS_METRICS_DISABLED: '0' }).metrics.enabled).toBe(
      true,
    );
  });

  it.each([
    ['STAGE is missing', {}, 'STAGE is required'],
    [
      'STAGE ends with "-"',
      { STAGE: 'prod-' },
      'STAGE must be a stage name (lowercase letters, digits and "-", starting with a letter, not ending with "-", at most 20 characters), received "prod-"',
    ],
    [
      'STAGE has capitals',
      { STAGE: 'Staging' },
      'STAGE must be a stage name (lowercase letters, digits and "-", starting with a letter, not ending with "-", at most 20 characters), received "Staging"',
    ],
    [
      'the namespace is not the alarms’ one',
      { STAGE: 'staging', POWERTOOLS_METRICS_NAMESPACE: 'Other' },
      `POWERTOOLS_METRICS_NAMESPACE must be ${METRICS_NAMESPACE} (the namespace the alarms read) or unset, received "Other"`,
    ],
    [
      'POWERTOOLS_METRICS_DISABLED is not a boolean',
      { STAGE: 'staging', POWERTOOLS_METRICS_DISABLED: 'maybe' },
      'POWERTOOLS_METRICS_DISABLED must be true or false',
    ],
  ])('fails a metrics function’s cold start when %s', (_, env, message) => {
    const error = failure(() =>
      loadConfig(ConsolidateConfig, { MEDIA_BUCKET: 'toq-listing-medias', ...env }),
    );

    expect(error.message).toBe(`Invalid environment: ${message}`);
  });
});
