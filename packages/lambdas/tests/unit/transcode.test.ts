import { describe, expect, it } from 'vitest';
import { ContractError } from '@toq/contracts';
import {
  buildTranscodeSettings,
  frameCaptureKey,
  readTranscodeOutputs,
  transcodeOutputKeys,
} from '../../src/domain/transcode.ts';

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

  it("captures a JPEG frame a second for 30 s, fitted into the MP4's box so the posters match its size", () => {
    const [mp4, frame] = buildTranscodeSettings(item, BUCKET).OutputGroups.map((g) => g.Outputs[0]);

    expect(frame).toMatchObject({
      ContainerSettings: { Container: 'RAW' },
      Extension: 'jpg',
      VideoDescription: {
        CodecSettings: {
          Codec: 'FRAME_CAPTURE',
          FrameCaptureSettings: { FramerateNumerator: 1, FramerateDenominator: 1, MaxCaptures: 30 },
        },
      },
    });
    const box = { Width: 1200, Height: 4096, ScalingBehavior: 'FIT_NO_UPSCALE' };
    expect(mp4?.VideoDescription).toMatchObject(box);
    expect(frame?.VideoDescription).toMatchObject(box);
  });

  it('converts both outputs to BT.709 SDR (MediaConvert tone-maps HDR sources)', () => {
    for (const group of buildTranscodeSettings(item, BUCKET).OutputGroups) {
      expect(group.Outputs[0]?.VideoDescription.VideoPreprocessors, group.Name).toEqual({
        ColorCorrector: { ColorSpaceConversion: 'FORCE_709' },
      });
    }
  });

  it('names each capture as MediaConvert does: destination, then a 7-digit counter', () => {
    const settings = buildTranscodeSettings(item, BUCKET);
    const destination = settings.OutputGroups[1]?.OutputGroupSettings.FileGroupSettings.Destination;

    expect(`s3://${BUCKET}/${frameCaptureKey(item, 12)}`).toBe(`${destination}.0000012.jpg`);
    expect(frameCaptureKey(item, 0)).toBe(transcodeOutputKeys(item).frame);
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
