// A command is declared once: this shape drives the text parser, Discord's schema, help and permissions.

import type { PersonRef } from '../domain/entities.ts';
import type { Role } from '../domain/roles.ts';
import type { FormSpec, Reply } from '../present/reply.ts';
import type { ActionService } from '../services/actions.ts';
import type { CsatService } from '../services/csat.ts';
import type { ExportService } from '../services/exports.ts';
import type { IncidentCloseout } from '../services/incidentCloseout.ts';
import type { IncidentRooms } from '../services/incidentRooms.ts';
import type { IncidentService } from '../services/incidents.ts';
import type { Outbox } from '../services/outbox.ts';
import type { PagingService } from '../services/paging.ts';
import type { PeopleService } from '../services/people.ts';
import type { PirService } from '../services/pirs.ts';
import type { ProblemService } from '../services/problems.ts';
import type { ReminderService } from '../services/reminders.ts';
import type { ReviewService } from '../services/reviews.ts';
import type { ServiceCatalog } from '../services/serviceCatalog.ts';
import type { ServiceStatusService } from '../services/serviceStatus.ts';
import type { SummaryService } from '../services/summaries.ts';
import type { SwapService } from '../services/swaps.ts';
import type { TeamService } from '../services/teams.ts';
import type { TicketService } from '../services/tickets.ts';
import type { Actor, Invocation, Origin } from './invocation.ts';

export type OptionKind =
  /** free text */
  | 'text'
  /** one of `choices` */
  | 'choice'
  /** a person: mention, platform identity, or `me` */
  | 'user'
  /** a duration like `15m`, `4h`, `3d` */
  | 'duration'
  /** a ticket id like `INC-12` */
  | 'ticket'
  /** a switch: `--internal` */
  | 'flag';

export interface OptionDef {
  name: string;
  kind: OptionKind;
  description: string;
  required?: boolean;
  choices?: readonly string[];
  /** Choice values read but never offered (not in help, nor in Discord's list): kept so the command can say why not. */
  unlisted?: readonly string[];
  /** Filled from bare words, in declaration order, when not given as `--name`. */
  positional?: boolean;
  /** Takes the rest of the line (the last positional). */
  rest?: boolean;
  /** Platforms that can, offer completion: ticket ids (`true`), or the names in the service catalog (`'service'`). */
  autocomplete?: boolean | 'service';
  /** How the value is written in usage when its kind's usual form would mislead (`CHG-1` for a change). */
  placeholder?: string;
  /** Text: the most characters taken (default MAX_TEXT in the parser). */
  maxLength?: number;
  /** Text: line breaks are kept; otherwise any run of whitespace becomes one space. */
  multiline?: boolean;
}

/** Option values after parsing and checking. Users are resolved to platform identities. */
export type OptionValues = Record<string, string | boolean | number | undefined>;

export interface CommandContext {
  invocation: Invocation;
  actor: Actor;
  origin: Origin;
  /** The tenant (organisation) this invocation belongs to. */
  tenant: string;
  role: Role;
  /** The person behind the actor (linked identities share one). */
  person: PersonRef;
  /** Timezone to show times in: the person's, else the organisation's. */
  timezone: string;
  now: Date;
}

/** What commands may use: the use cases, and the full list of definitions (for help). */
export interface CommandServices {
  tickets: TicketService;
  people: PeopleService;
  /** Messages the bot sends first, and the ledger of what became of them. */
  outbox: Outbox;
  reminders: ReminderService;
  reviews: ReviewService;
  pirs: PirService;
  /** Problems: links to incidents, known errors. */
  problems: ProblemService;
  /** Follow-up actions: recorded, listed, done or deferred. */
  actions: ActionService;
  /** Major incidents: declared, roles, statuses, updates, timeline. */
  incidents: IncidentService;
  /** Major incidents closed out: the post-incident draft. */
  incidentCloseout: IncidentCloseout;
  /** Major incidents' rooms: a pinned message on the timeline. */
  incidentRooms: IncidentRooms;
  /** On-call teams, schedules and policies. */
  teams: TeamService;
  /** Pages: started, acknowledged, escalated. */
  paging: PagingService;
  /** Shift swaps: proposed, accepted or declined once. */
  swaps: SwapService;
  /** Status summaries: the rollups of a period and the open work. */
  summaries: SummaryService;
  /** Requester satisfaction: one answer per resolved ticket. */
  csat: CsatService;
  /** /status export: a period's tickets as CSV. */
  exports: ExportService;
  /** The service catalog. */
  catalog: ServiceCatalog;
  /** Availability and SLA attainment per service, against its targets. */
  serviceStatus: ServiceStatusService;
  definitions: () => readonly CommandDef[];
}

/** One more form of a bare command, as help tells it. */
export interface CommandForm {
  /** The word it starts with, e.g. `export`. */
  name: string;
  summary: string;
  /** The whole form, e.g. `/status export [<period>] [--format csv]`. */
  usage: string;
  examples: string[];
}

export interface CommandDef {
  /** Family, e.g. `ticket`. */
  command: string;
  /** Subcommand, e.g. `new`; empty for a family with a single command (`help`). */
  name: string;
  summary: string;
  examples: string[];
  options: OptionDef[];
  minRole: Role;
  /** Runs when the family is typed with no subcommand, or with words that name none (`/oncall storage`). */
  fallback?: boolean;
  /**
   * A bare command's other forms, read from its first word (`/status export`, since a family with a bare command
   * can have no subcommands): help lists and explains each as a command of its own.
   */
  forms?: readonly CommandForm[];
  /** When the command is invoked with nothing at all, show this form instead (e.g. `/ticket new`). */
  formWhenEmpty?: FormSpec;
  run(ctx: CommandContext, options: OptionValues, services: CommandServices): Promise<Reply>;
}

/** The full spoken form, for help and usage: `/ticket new <title…> [--impact high|medium|low]`. */
export function usageOf(def: CommandDef): string {
  const parts = [`/${def.command}${def.name ? ` ${def.name}` : ''}`];
  for (const o of def.options) {
    const value = o.placeholder
      ? o.placeholder
      : o.kind === 'flag'
        ? ''
        : o.choices
          ? o.choices.join('|')
          : o.kind === 'ticket'
            ? 'INC-1'
            : o.kind === 'user'
              ? '@user|me'
              : o.kind === 'duration'
                ? '30m|4h|2d'
                : `${o.name}${o.rest ? '…' : ''}`;
    const body = o.positional ? `<${value}>` : o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${value}`;
    parts.push(o.required ? body : `[${body}]`);
  }
  return parts.join(' ');
}
