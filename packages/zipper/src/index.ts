export { createZip, type ZipSummary } from './bundle';
export { STORED_EXTENSIONS, type ZipEntry, type ZipSource } from './entries';
export { ZipperError, type ZipperErrorCode } from './errors';
export type { ZipOptions } from './options';
