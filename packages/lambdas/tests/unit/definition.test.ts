import { PIPELINE_ERROR_NAMES } from '@toq/contracts';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/domain/errors.ts';
import {
  DEFINITION_PLACEHOLDERS,
  DEFINITION_TEXT,
  definitionValues,
  renderDefinition,
} from '../../src/pipeline/definition.ts';
import { pipelineNames } from '../../src/pipeline/resources.ts';

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
        'PhotoFailed',
        'TranscodeVideos',
        'PrepareTranscode',
        'Transcode',
        'FinishVideo',
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
    const lambdaTasks = tasks.filter(([name]) => name !== 'Transcode');

    expect(lambdaTasks).toHaveLength(7);
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

    expect(retry('RenderPhoto')[0]).toMatchObject({
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 3,
      JitterStrategy: 'FULL',
    });
    expect(retry('Callback')[0]).toEqual({
      ErrorEquals: [PIPELINE_ERROR_NAMES.webhookDelivery],
      IntervalSeconds: 60,
      BackoffRate: 4,
      MaxAttempts: 3,
      JitterStrategy: 'FULL',
    });
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
