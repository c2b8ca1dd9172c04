// Every command family the bot knows, in help order.
import type { CommandDef } from '../src/core/command.ts';
import { adminCommands } from './admin.ts';
import { freezeCommands } from './freeze.ts';
import { help } from './help.ts';
import { incidentCommands } from './incident.ts';
import { oncallCommands } from './oncall.ts';
import { oncallPagingCommands } from './oncallPaging.ts';
import { oncallSwapCommands } from './oncallSwap.ts';
import { profileCommands } from './profile.ts';
import { reviewCommands } from './review.ts';
import { serviceCommands } from './service.ts';
import { statusCommands } from './status.ts';
import { teamCommands } from './team.ts';
import { ticketCommands } from './ticket.ts';

export const allCommands: readonly CommandDef[] = [
  ...ticketCommands,
  ...incidentCommands,
  ...freezeCommands,
  ...serviceCommands,
  ...reviewCommands,
  ...statusCommands,
  ...teamCommands,
  ...oncallCommands,
  ...oncallPagingCommands,
  ...oncallSwapCommands,
  ...adminCommands,
  ...profileCommands,
  help,
];
