export { createZip, type ZipSummary } from './bundle';
export { STORED_EXTENSIONS, type ZipEntry, type ZipSource } from './entries';
export { ZipperError, ZIPPER_ERROR_CODES, type ZipperErrorCode } from './errors';
export type { ZipOptions } from './options';
