import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { emailsCommand } from './emails.js';
import { scanCommand } from './scan.js';
import { serveCommand } from './serve.js';

/** Every `keel` subcommand, in the order `keel --help` lists them. */
export const commands: Command[] = [serveCommand, scanCommand, emailsCommand, demoCommand];
