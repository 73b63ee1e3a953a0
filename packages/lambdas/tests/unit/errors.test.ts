import { describe, expect, it } from 'vitest';
import {
  MAX_REASON_LENGTH,
  causeMessage,
  failureReason,
  trimReason,
} from '../../src/domain/errors.ts';

describe('trimReason', () => {
  it('puts a multi-line message on one line, control characters and runs of spaces as one space', () => {
    expect(trimReason('  moov atom not found\r\n\tinput:\u0000 Invalid\u001b[0m  data\n')).toBe(
      'moov atom not found input: Invalid [0m data',
    );
  });

  it('drops invisible format characters such as bidi overrides', () => {
    expect(trimReason('file\u202egpj.exe\u200b ok')).toBe('filegpj.exe ok');
  });

  it(`cuts a long message to ${MAX_REASON_LENGTH} characters, ending with an ellipsis`, () => {
    const trimmed = trimReason('x'.repeat(5000));

    expect(trimmed).toHaveLength(MAX_REASON_LENGTH);
    expect(trimmed.endsWith('…')).toBe(true);
    expect(trimReason('y'.repeat(MAX_REASON_LENGTH))).toBe('y'.repeat(MAX_REASON_LENGTH));
  });
});

describe('causeMessage', () => {
  it("reads a Lambda error's errorMessage (AWS)", () => {
    const cause = JSON.stringify({
      errorType: 'TransientError',
      errorMessage: 'S3 GetObject timed out',
      trace: ['TransientError: S3 GetObject timed out', '    at /var/task/index.mjs:1:2'],
    });

    expect(causeMessage(cause)).toBe('S3 GetObject timed out');
  });

  it("reads a failed MediaConvert job's ErrorMessage and ErrorCode, bare or under Job", () => {
    const job = {
      Id: '1700000000000-abc123',
      Status: 'ERROR',
      ErrorCode: 1010,
      ErrorMessage: 'Failed probe/open: [Failed to read data: moov atom not found]',
      Settings: { Inputs: [{ FileInput: 's3://toq-listing-medias/l/raw/video/v.mp4' }] },
    };
    const expected = 'Failed probe/open: [Failed to read data: moov atom not found] (error 1010)';

    expect(causeMessage(JSON.stringify(job))).toBe(expected);
    expect(causeMessage(JSON.stringify({ Job: job }))).toBe(expected);
    expect(causeMessage('{"errorCode":1040,"errorMessage":"Example error message"}')).toBe(
      'Example error message (error 1040)',
    );
  });

  it('keeps a plain-text cause (a local run) or JSON without a message as it is', () => {
    expect(causeMessage('ffmpeg exited with code 1: moov atom not found')).toBe(
      'ffmpeg exited with code 1: moov atom not found',
    );
    expect(causeMessage('{"Status":"ERROR"}')).toBe('{"Status":"ERROR"}');
    expect(causeMessage('42')).toBe('42');
  });

  it('says nothing of an absent or empty cause', () => {
    expect(causeMessage(undefined)).toBeUndefined();
    expect(causeMessage(null)).toBeUndefined();
    expect(causeMessage('')).toBeUndefined();
  });
});

describe('failureReason', () => {
  it('is the cause message, trimmed', () => {
    const cause = JSON.stringify({
      errorType: 'States.TaskFailed',
      errorMessage: `ffmpeg exited with code 1:\n${'moov atom not found '.repeat(40)}`,
    });

    const reason = failureReason(cause);

    expect(reason).toMatch(/^ffmpeg exited with code 1: moov atom not found/);
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason).not.toContain('\n');
  });

  it('is undefined when the cause holds nothing but blanks', () => {
    expect(failureReason(' \n\t ')).toBeUndefined();
    expect(failureReason(undefined)).toBeUndefined();
  });
});
