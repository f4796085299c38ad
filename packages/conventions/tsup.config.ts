import { packageConfig } from '@keepwatch/tsup-config';

export default packageConfig();
