import { appConfig } from '@keepwatch/tsup-config';

export default appConfig();
