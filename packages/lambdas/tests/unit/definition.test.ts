import { PIPELINE_ERROR_NAMES } from '@toq/contracts';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/domain/errors.ts';
import {
  DEFINITION_PLACEHOLDERS,
  DEFINITION_TEXT,
  definitionValues,
  placeholderFunction,
  renderDefinition,
  type DefinitionPlaceholder,
} from '../../src/pipeline/definition.ts';
import {
  FUNCTION_TIMEOUT_SECONDS,
  INVOKE_MARGIN_SECONDS,
  pipelineNames,
} from '../../src/pipeline/resources.ts';

/** Stand-in ARNs for the placeholders (what CloudFormation substitutes on AWS). */
const FAKE_ARNS = definitionValues(pipelineNames('staging'), {
  account: '058264253741',
  region: 'us-east-1',
});

type State = Record<string, unknown> & { Type: string };

/** Every state of the definition, nested ones included, by name. */
function allStates(machine: { States: Record<string, State> }): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    states[name] = state;
    const nested = [
      ...((state['Branches'] as { States: Record<string, State> }[] | undefined) ?? []),
      ...(state['ItemProcessor']
        ? [state['ItemProcessor'] as { States: Record<string, State> }]
        : []),
    ];
    for (const machineOf of nested) Object.assign(states, allStates(machineOf));
  }
  return states;
}

const definition = JSON.parse(DEFINITION_TEXT) as {
  States: Record<string, State>;
  StartAt: string;
};
const states = allStates(definition);
const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
const lambdaTasks = tasks.filter(([, s]) => s['Resource'] === 'arn:aws:states:::lambda:invoke');

/** The function a lambda:invoke Task calls, from its `${…FunctionArn}` placeholder. */
function invokedFunction(task: State) {
  const name = (task['Parameters'] as Record<string, string>)['FunctionName'] ?? '';
  const placeholder = /^\$\{(\w+)\}$/.exec(name)?.[1] as DefinitionPlaceholder;
  const fn = placeholderFunction(placeholder);
  if (fn === undefined) throw new Error(`expected a function placeholder, received ${name}`);
  return fn;
}

/**
 * Every Lambda error AWS recommends retrying on a lambda:invoke Task (the Step Functions guide's
 * "Handling transient Lambda service exceptions").
 */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
];
const THROTTLED = 'Lambda.TooManyRequestsException';

describe('definition.asl.json', () => {
  it('is valid ASL as deployed (placeholders in place) and once substituted', () => {
    const raw = aslValidator(definition);
    const rendered = aslValidator(renderDefinition(FAKE_ARNS));

    expect(raw.errorsText('\n')).toBe('');
    expect(raw.isValid).toBe(true);
    expect(rendered.errorsText('\n')).toBe('');
    expect(rendered.isValid).toBe(true);
  });

  it('has the states of docs/pipeline.md, in JSONPath', () => {
    expect(definition.StartAt).toBe('Validate');
    expect(Object.keys(states).sort()).toEqual(
      [
        'Validate',
        'ProcessMedia',
        'RenderPhotos',
        'RenderPhoto',
        'RecordPhotoFailure',
        'PhotoFailed',
        'TranscodeVideos',
        'PrepareTranscode',
        'Transcode',
        'FinishVideo',
        'RecordVideoFailure',
        'VideoFailed',
        'CarryContext',
        'BundleZip',
        'UnwrapZip',
        'Consolidate',
        'Callback',
        'ConsolidationFailed',
        'CallbackFailed',
      ].sort(),
    );
    expect(DEFINITION_TEXT).not.toContain('JSONata');
    expect(DEFINITION_TEXT).not.toMatch(/"(Arguments|Output|Assign)"\s*:/);
  });

  it('uses exactly the exported placeholders', () => {
    const used = new Set([...DEFINITION_TEXT.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));

    expect([...used].sort()).toEqual([...DEFINITION_PLACEHOLDERS].sort());
  });

  it('invokes every function through lambda:invoke and reads $.Payload', () => {
    expect(lambdaTasks.map(([name]) => name)).toEqual(
      tasks.map(([name]) => name).filter((name) => name !== 'Transcode'),
    );
    expect(lambdaTasks).toHaveLength(9);
    for (const [name, task] of lambdaTasks) {
      expect(task['Resource'], name).toBe('arn:aws:states:::lambda:invoke');
      expect((task['Parameters'] as Record<string, string>)['FunctionName'], name).toMatch(
        /^\$\{\w+FunctionArn\}$/,
      );
      for (const path of Object.values(task['ResultSelector'] as Record<string, string>)) {
        expect(path, name).toMatch(/^\$\.Payload/);
      }
    }
    expect(states['Transcode']?.['Resource']).toBe('arn:aws:states:::mediaconvert:createJob.sync');
  });

  it('never writes an explicit ResultPath "$" (the local interpreter mishandles it)', () => {
    for (const [name, state] of Object.entries(states)) {
      expect(state['ResultPath'], name).not.toBe('$');
    }
  });

  it('retries and catches by the error names of @toq/contracts', () => {
    const ours = new Set<string>(Object.values(PIPELINE_ERROR_NAMES));
    const matched = new Set<string>();
    for (const [name, task] of tasks) {
      const retriers = (task['Retry'] as { ErrorEquals: string[] }[] | undefined) ?? [];
      const catchers = (task['Catch'] as { ErrorEquals: string[] }[] | undefined) ?? [];
      expect(retriers.length, `${name} retries`).toBeGreaterThan(0);
      expect(
        catchers.map((c) => c.ErrorEquals),
        `${name} catches`,
      ).toEqual([['States.ALL']]);
      for (const error of retriers.flatMap((r) => r.ErrorEquals)) {
        expect(error, name).toMatch(/^(Lambda\.|MediaConvert\.|[A-Z][A-Za-z]+Error$)/);
        if (!error.includes('.')) {
          expect(ours.has(error), `${name}: ${error} is in PIPELINE_ERROR_NAMES`).toBe(true);
          matched.add(error);
        }
      }
    }
    // Not retried: invalid requests and configuration errors.
    expect([...matched].sort()).toEqual(
      [PIPELINE_ERROR_NAMES.transient, PIPELINE_ERROR_NAMES.webhookDelivery].sort(),
    );
  });

  it('retries transient errors 3 times from 2 s with full jitter, webhooks from 60 s', () => {
    const retry = (state: string) => (states[state]?.['Retry'] ?? []) as Record<string, unknown>[];

    expect(
      retry('RenderPhoto').find((r) =>
        (r['ErrorEquals'] as string[]).includes(PIPELINE_ERROR_NAMES.transient),
      ),
    ).toMatchObject({
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 3,
      JitterStrategy: 'FULL',
    });
    expect(retry('Callback')[1]).toEqual({
      ErrorEquals: [PIPELINE_ERROR_NAMES.webhookDelivery],
      IntervalSeconds: 60,
      BackoffRate: 4,
      MaxAttempts: 3,
      JitterStrategy: 'FULL',
    });
  });
});

describe('timeouts and retries (docs/pipeline.md, "Timeouts and retries")', () => {
  const timeoutOf = (name: string) => states[name]?.['TimeoutSeconds'] as number;

  it('waits on each lambda task a little longer than its function may run, never more', () => {
    for (const [name, task] of lambdaTasks) {
      const fn = invokedFunction(task);

      expect(task['TimeoutSeconds'], `${name} (${fn})`).toBeGreaterThan(
        FUNCTION_TIMEOUT_SECONDS[fn],
      );
      expect(task['TimeoutSeconds'], `${name} (${fn})`).toBeLessThanOrEqual(
        FUNCTION_TIMEOUT_SECONDS[fn] + INVOKE_MARGIN_SECONDS,
      );
    }
  });

  it('gives the MediaConvert job 2 h, a video of up to 5 GiB with time in the queue', () => {
    expect(timeoutOf('Transcode')).toBe(7200);
    expect(tasks.filter(([, task]) => task['TimeoutSeconds'] === undefined)).toEqual([]);
  });

  it('retries the full set of Lambda service errors on every lambda task, with backoff', () => {
    for (const [name, task] of lambdaTasks) {
      const retriers = task['Retry'] as { ErrorEquals: string[]; BackoffRate: number }[];
      const serviceRetrier = retriers.find((r) => r.ErrorEquals.includes('Lambda.Unknown'));

      expect(serviceRetrier?.ErrorEquals, name).toEqual(
        expect.arrayContaining(LAMBDA_SERVICE_ERRORS),
      );
      expect(serviceRetrier?.BackoffRate, name).toBeGreaterThan(1);
    }
  });

  it('retries a throttled invocation first, 10 times over about 6 minutes (a burst waits for reserved concurrency)', () => {
    for (const [name, task] of lambdaTasks) {
      const retriers = task['Retry'] as { ErrorEquals: string[] }[];

      expect(retriers[0], name).toEqual({
        ErrorEquals: [THROTTLED],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 10,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      });
      expect(
        retriers.slice(1).flatMap((r) => r.ErrorEquals),
        name,
      ).not.toContain(THROTTLED);
    }
  });

  it('does not retry a timed-out task (a second wait as long would rarely end better)', () => {
    const retried = tasks.flatMap(([, task]) =>
      ((task['Retry'] as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap(
        (r) => r.ErrorEquals,
      ),
    );

    expect(retried).not.toContain('States.Timeout');
    expect(retried).not.toContain('States.ALL');
  });

  it('bounds the execution at a day: twice the longest path with every task at its timeout', () => {
    const longestPath =
      timeoutOf('Validate') +
      Math.max(
        timeoutOf('RenderPhoto'),
        timeoutOf('PrepareTranscode') +
          timeoutOf('Transcode') +
          timeoutOf('FinishVideo') +
          timeoutOf('RecordVideoFailure'),
      ) +
      timeoutOf('BundleZip') +
      timeoutOf('Consolidate') +
      timeoutOf('Callback');
    const execution = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;

    expect(execution).toBe(86_400);
    expect(execution).toBeGreaterThanOrEqual(2 * longestPath);
  });
});

describe('renderDefinition', () => {
  it('fills every placeholder', () => {
    const text = JSON.stringify(renderDefinition(FAKE_ARNS));

    expect(text).not.toContain('${');
    expect(text).toContain(FAKE_ARNS.MediaConvertRoleArn);
  });

  it('throws a ConfigurationError naming the placeholder without a value', () => {
    const partial: Partial<typeof FAKE_ARNS> = { ...FAKE_ARNS };
    delete partial.ZipFunctionArn;

    const act = () => renderDefinition(partial as typeof FAKE_ARNS);

    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/placeholder "\$\{ZipFunctionArn\}"/);
  });
});
