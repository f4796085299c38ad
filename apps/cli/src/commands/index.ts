import type { Command } from '../command.js';
import { configCheck } from './config-check.js';
import { health } from './health.js';
import { profilesList, profilesTop } from './profiles.js';

/** Every command of `keepwatch`, in help order. */
export const commands: readonly Command[] = [configCheck, health, profilesList, profilesTop];
