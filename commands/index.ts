// Every command family the bot knows, in help order.
import type { CommandDef } from '../src/core/command.ts';
import { adminCommands } from './admin.ts';
import { freezeCommands } from './freeze.ts';
import { help } from './help.ts';
import { profileCommands } from './profile.ts';
import { reviewCommands } from './review.ts';
import { ticketCommands } from './ticket.ts';

export const allCommands: readonly CommandDef[] = [
  ...ticketCommands,
  ...freezeCommands,
  ...reviewCommands,
  ...adminCommands,
  ...profileCommands,
  help,
];
