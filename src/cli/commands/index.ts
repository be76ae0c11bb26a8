import type { Command } from '../command.js';
import { demoCommand } from './demo.js';

/** Every `keel` subcommand, in the order `keel --help` lists them. */
export const commands: Command[] = [demoCommand];
