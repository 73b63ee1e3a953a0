import { describe, expect, it } from 'vitest';
import { ContractError } from '@toq/contracts';
import { buildTranscodeSettings, readTranscodeOutputs } from '../../src/domain/transcode.ts';

const ctx = { listingId: '4f8a2c1e-9b7d-4e3a-8c6f-1a2b3c4d5e6f', requestId: 'req-1' };
const mediaId = '0b7c1a52-1f0e-4c7e-9a51-6f6d2a7b9c10';
const item = { ctx, mediaId, ext: 'mov' };
const BUCKET = 'toq-listing-medias';

describe('buildTranscodeSettings', () => {
  it('reads the raw upload and writes an H.264/AAC MP4 fitted into 1200 px wide without upscaling', () => {
    // Act
    const settings = buildTranscodeSettings(item, BUCKET);

    // Assess
    expect(settings.Inputs).toEqual([
      expect.objectContaining({
        FileInput: `s3://${BUCKET}/${ctx.listingId}/raw/video/${mediaId}.mov`,
        VideoSelector: { Rotate: 'AUTO' },
      }),
    ]);
    const mp4 = settings.OutputGroups[0]?.Outputs[0];
    expect(mp4?.ContainerSettings.Container).toBe('MP4');
    // At most the `large` width; the height bound is MediaConvert's portrait H.264 maximum
    expect(mp4?.VideoDescription).toMatchObject({
      Width: 1200,
      Height: 4096,
      ScalingBehavior: 'FIT_NO_UPSCALE',
      CodecSettings: { Codec: 'H_264' },
    });
    expect(mp4?.AudioDescriptions?.[0]?.CodecSettings.Codec).toBe('AAC');
  });

  it("captures exactly one JPEG frame, fitted into the MP4's box so the posters match its size", () => {
    const [mp4, frame] = buildTranscodeSettings(item, BUCKET).OutputGroups.map((g) => g.Outputs[0]);

    expect(frame).toMatchObject({
      ContainerSettings: { Container: 'RAW' },
      Extension: 'jpg',
      VideoDescription: {
        CodecSettings: { Codec: 'FRAME_CAPTURE', FrameCaptureSettings: { MaxCaptures: 1 } },
      },
    });
    const box = { Width: 1200, Height: 4096, ScalingBehavior: 'FIT_NO_UPSCALE' };
    expect(mp4?.VideoDescription).toMatchObject(box);
    expect(frame?.VideoDescription).toMatchObject(box);
  });

  it('rejects a photo extension or a malformed id before building anything', () => {
    expect(() => buildTranscodeSettings({ ...item, ext: 'jpg' }, BUCKET)).toThrow(ContractError);
    expect(() => buildTranscodeSettings({ ...item, mediaId: '../x' }, BUCKET)).toThrow(
      /must be a UUID/,
    );
  });

  it('is deterministic: the same item gives the same settings', () => {
    expect(JSON.stringify(buildTranscodeSettings(item, BUCKET))).toBe(
      JSON.stringify(buildTranscodeSettings(item, BUCKET)),
    );
  });
});

describe('readTranscodeOutputs', () => {
  it('reads the MP4 size and duration from the first output group', () => {
    const details = [
      {
        OutputDetails: [{ DurationInMs: 2040, VideoDetails: { WidthInPx: 320, HeightInPx: 240 } }],
      },
      { OutputDetails: [{ VideoDetails: { WidthInPx: 640, HeightInPx: 480 } }] },
    ];

    expect(readTranscodeOutputs(details)).toEqual({
      width: 320,
      height: 240,
      durationSeconds: 2.04,
    });
  });

  it('returns undefined when the job reported no usable size', () => {
    expect(readTranscodeOutputs([])).toBeUndefined();
    expect(
      readTranscodeOutputs([{ OutputDetails: [{ VideoDetails: { WidthInPx: 0 } }] }]),
    ).toBeUndefined();
  });
});
