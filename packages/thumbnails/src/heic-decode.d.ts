declare module 'heic-decode' {
  /** The primary image of a HEIC file, as 8-bit RGBA. */
  interface DecodedHeic {
    width: number;
    height: number;
    data: Uint8ClampedArray;
  }
  function decode(input: { buffer: Uint8Array }): Promise<DecodedHeic>;
  export default decode;
}
