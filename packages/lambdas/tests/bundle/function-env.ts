/**
 * An environment every function accepts at cold start (each reads only its own variables), for
 * loading the bundles outside Lambda: the bundle tests and the init benchmark.
 */
export const FUNCTION_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  MEDIA_BUCKET: 'toq-listing-medias',
  STAGE: 'staging',
  STATE_MACHINE_ARN:
    'arn:aws:states:us-east-1:058264253741:stateMachine:listing-media-processing-staging',
  DEAD_LETTER_QUEUE_URL:
    'https://sqs.us-east-1.amazonaws.com/058264253741/listing-media-processing-dlq-staging',
  WEBHOOK_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:058264253741:secret:toq-media-webhook-staging-AbCdEf',
  CALLBACK_ALLOWED_HOSTS: 'api.example.com',
  LOG_LEVEL: 'SILENT',
};
