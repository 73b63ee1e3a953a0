import { libraryConfig } from '../../tools/build/tsup-library.ts';

export default libraryConfig({ entry: ['src/index.ts', 'src/constants.ts'] });
