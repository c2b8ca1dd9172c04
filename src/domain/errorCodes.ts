// The catalogue of errors a person can cause: every code a UserError may carry, with what it means and, where the
// message has one fixed form, its template. One place: /help errors and the README's table are drawn from it.

/** Each code, and what it tells the person (the message itself says it in words fit for the case). */
export const ERROR_CODES = {
  // Typing: the line could not be read as the command's form.
  'USAGE.BAD_ARGS': 'the words after the command do not fit its form',
  'USAGE.BAD_CHANNEL': 'a channel that cannot be named here',
  'USAGE.BAD_CHOICE': 'a value outside the option’s choices',
  'USAGE.BAD_DURATION': 'a duration that cannot be read',
  'USAGE.BAD_LINK': 'a link that is not one',
  'USAGE.BAD_NUMBER': 'a number that cannot be read, or out of range',
  'USAGE.BAD_OPTION': 'an option this command (or this kind) does not take',
  'USAGE.BAD_SCHEDULE': 'a schedule that cannot be read',
  'USAGE.BAD_TICKET_ID': 'a ticket id not in the INC-1 form',
  'USAGE.BAD_TIME': 'a time that cannot be read',
  'USAGE.BAD_TIMEZONE': 'a timezone not in the IANA database',
  'USAGE.BAD_USER': 'a person that is not a mention',
  'USAGE.BAD_VALUE': 'a value the option does not accept',
  'USAGE.MISSING': 'a required value is missing',
  'USAGE.NOT_A_PERSON': 'a group mention where a person is wanted',
  'USAGE.REPEATED': 'an option given twice',
  'USAGE.TOO_LONG': 'a line or value over its length limit',
  'USAGE.UNCLOSED_QUOTE': 'a quote opened and never closed',
  'USAGE.UNEXPECTED': 'words the form has no place for',
  'USAGE.UNKNOWN_ACTION': 'a button or action this bot does not know',
  'USAGE.UNKNOWN_COMMAND': 'no such command',
  'USAGE.UNKNOWN_FLAG': 'no such option',
  'USAGE.UNKNOWN_SUBCOMMAND': 'no such subcommand',
  'HELP.UNKNOWN': 'help asked for a command there is not',
  // Who may do what.
  'PERMISSION.DENIED': 'the person’s role does not allow it',
  'PERSON.UNKNOWN': 'a person the bot has not seen',
  'ROLE.CONFIGURED': 'an admin by configuration, not by grant',
  'ROLE.NONE': 'no role granted to take back',
  'ROLE.TERMINAL_ADMIN': 'the terminal’s user is always an admin',
  'AS.NESTED': '/as inside /as',
  'AS.NOT_A_PERSON': '/as for a group, not a person',
  'AS.TERMINAL_ONLY': '/as is for the terminal',
  'LINK.BAD_CODE': 'a link code that is wrong or expired',
  'LINK.SAME_IDENTITY': 'linking an identity to itself',
  'LINK.TOO_MANY': 'too many wrong link codes in a row',
  'PROFILE.BAD_QUIET': 'quiet hours that cannot be read',
  'PROFILE.BAD_TIMEZONE': 'a profile timezone that is not one',
  // Tickets.
  'TICKET.ASSIGNEE_NOT_AGENT': 'assigning to someone who is not an agent',
  'TICKET.BAD_ID': 'a ticket id of the wrong type for the command',
  'TICKET.BAD_WINDOW': 'a change window that cannot be read',
  'TICKET.BUSY': 'the ticket kept changing under the command',
  'TICKET.INVALID_TRANSITION': 'a state change the lifecycle does not allow',
  'TICKET.NOT_FOUND': 'no such ticket (or not the person’s to see)',
  'TICKET.UNCHANGED': 'the change would change nothing',
  'TICKET.WINDOW_NOT_CHANGE': 'a window on a ticket that is not a change',
  'CHANGE.ALREADY_DECIDED': 'this approver decided already',
  'CHANGE.DECIDED': 'the change is approved or rejected already',
  'CHANGE.FROZEN': 'the window falls in a change freeze',
  'CHANGE.NOT_A_CHANGE': 'approval asked of a ticket that is not a change',
  'CSAT.ANSWERED': 'the satisfaction question was answered already',
  'CSAT.BAD_SCORE': 'a score outside 1-5',
  'CSAT.NOT_RESOLVED': 'asked about a ticket not resolved',
  'FREEZE.BAD_ID': 'a freeze id not in the FRZ-1 form',
  'FREEZE.BAD_TIME': 'a freeze time that cannot be read',
  'FREEZE.BAD_WINDOW': 'a freeze window that ends before it starts',
  'FREEZE.NOT_FOUND': 'no such freeze',
  'FREEZE.NO_REASON': 'a freeze without its reason',
  'FREEZE.TOO_MANY': 'too many freezes',
  'INCIDENT.ALREADY_DECLARED': 'the incident is a major incident already',
  'INCIDENT.ALREADY_SUBSCRIBED': 'following the incident already',
  'INCIDENT.BUSY': 'the major incident kept changing under the command',
  'INCIDENT.INVALID_STATUS': 'a status change the major incident does not allow',
  'INCIDENT.NOT_FOUND': 'no such major incident',
  'INCIDENT.NOT_SUBSCRIBED': 'not following the incident',
  'INCIDENT.POSTMORTEM_NO_CHANNEL': 'a post-incident draft asked for where the bot cannot post a file',
  'INCIDENT.RESOLVED': 'the major incident is resolved',
  'INCIDENT.ROLE_HELD': 'the person holds that incident role already',
  'INCIDENT.TOO_MANY_SUBSCRIBERS': 'a major incident over its subscriber limit',
  'INCIDENT.WHICH': 'no incident named, outside an incident room',
  'PIR.ALREADY_DONE': 'the post-incident review is done already',
  'PIR.NOT_FOUND': 'no post-incident review for that incident',
  'PIR.OPEN_ACTIONS': 'a PIR marked done while its incident has follow-up actions open',
  'REMINDER.NOT_FOUND': 'no such reminder of the person’s',
  // Follow-up actions.
  'ACTION.BAD_ID': 'an action id not in the ACT-1 form',
  'ACTION.CLOSED_TICKET': 'an action on a closed ticket',
  'ACTION.ENDED': 'the action is done or deferred already',
  'ACTION.NOT_FOUND': 'no such follow-up action',
  'ACTION.NO_REASON': 'an action deferred without its reason',
  'ACTION.WRONG_TICKET': 'an action on a ticket that is not an incident or a problem',
  // The service catalog.
  'SERVICE.BAD_DEPENDENCY': 'a dependency on a service the catalog does not hold (or too many)',
  'SERVICE.BAD_NAME': 'a service name not in the allowed form',
  'SERVICE.BAD_TARGETS': 'targets that are not a percentage or a response/resolution pair',
  'SERVICE.BUSY': 'the service was changed by someone else at the same moment',
  'SERVICE.DEPENDENCY_CYCLE': 'dependencies that lead back to the service',
  'SERVICE.EXISTS': 'a service of that name is in the catalog already',
  'SERVICE.IN_USE': 'a service open tickets or other services still name',
  'SERVICE.NOT_FOUND': 'a service the catalog does not hold',
  'SERVICE.TOO_MANY': 'too many services',
  // Problems: incidents linked to their cause.
  'PROBLEM.CLOSED': 'a problem that is closed takes no more links or known errors',
  'PROBLEM.LINKED_ELSEWHERE': 'an incident already linked to another problem',
  'PROBLEM.NO_SERVICE': 'a known error on a problem that names no service',
  'PROBLEM.NOT_A_PROBLEM': 'linking to (or marking) a ticket that is not a problem',
  'PROBLEM.NOT_AN_INCIDENT': 'linking a ticket that is not an incident',
  'PROBLEM.NOT_LINKED': 'unlinking an incident that is not linked to that problem',
  'PROBLEM.SERVICES_DIFFER': 'a problem from incidents on different services, without --service',
  'PROBLEM.TOO_MANY': 'too many incidents for one problem',
  // Reviews and summaries.
  'REVIEW.KIND_NOT_YET': 'a review kind not available yet',
  'REVIEW.NOT_FOUND': 'no such review',
  'REVIEW.SLA_ALWAYS_ON': 'SLA notices need no review: they are always on',
  'REVIEW.UNCHANGED': 'the review is that way already',
  'STATUS.BAD_PERIOD': 'a period that cannot be read',
  'STATUS.EXPORT_NO_CHANNEL': 'an export asked where no file can be posted',
  'STATUS.EXPORT_TOO_BIG': 'an export over the platform’s file limit',
  'STATUS.UNKNOWN_SCOPE': 'a team or service there is not',
  // On call and teams.
  'ONCALL.ACKNOWLEDGED': 'the page was acknowledged already',
  'ONCALL.BAD_AFTER': 'an escalation delay that cannot be read',
  'ONCALL.BAD_EVERY': 'a rotation length that cannot be read',
  'ONCALL.BAD_HANDOFF': 'a handoff time that cannot be read',
  'ONCALL.BAD_LAYER': 'no such rotation layer',
  'ONCALL.BAD_POLICY': 'an escalation policy that cannot be read',
  'ONCALL.BAD_REPEAT': 'a --repeat out of range',
  'ONCALL.BAD_SPAN': 'an override span that cannot be read',
  'ONCALL.BAD_START': 'a rotation start that cannot be read',
  'ONCALL.BAD_STEP': 'an escalation level that cannot be read',
  'ONCALL.BAD_TARGET': 'an escalation target that is not a person, team or channel',
  'ONCALL.BAD_TIME': 'an on-call time that cannot be read',
  'ONCALL.BUSY': 'the team kept changing under the command',
  'ONCALL.EMPTY_POLICY': 'an escalation policy with no level',
  'ONCALL.LAST_LEVEL': 'escalating past the last level',
  'ONCALL.NOT_PAGED': 'no page running for that incident',
  'ONCALL.NO_MEMBERS': 'a rotation with nobody in it',
  'ONCALL.NO_SHIFT': 'nobody’s shift to take or cover',
  'ONCALL.SWAP_ANSWERED': 'the swap was answered already',
  'ONCALL.SWAP_EXPIRED': 'the swap is past its shift',
  'ONCALL.SWAP_NO_SHIFT': 'no shift of the person’s to swap',
  'ONCALL.SWAP_SELF': 'a swap with oneself',
  'ONCALL.SWAP_STALE': 'the shifts changed since the swap was asked',
  'ONCALL.SWAP_UNKNOWN': 'no such swap',
  'ONCALL.TOO_MANY': 'too many rotations or overrides',
  'ONCALL.TOO_MANY_MEMBERS': 'a rotation over its member limit',
  'ONCALL.UNKNOWN_PERSON': 'paging someone the bot has not seen',
  'TEAM.BAD_NAME': 'a team name not in the allowed form',
  'TEAM.BAD_SERVICES': 'a services list that cannot be read',
  'TEAM.BUSY': 'the team kept changing under the command',
  'TEAM.EXISTS': 'a team of that name exists already',
  'TEAM.NOT_A_MEMBER': 'the person is not in the team',
  'TEAM.NOT_FOUND': 'no such team',
  'TEAM.ON_DUTY': 'the team has someone on call now',
  'TEAM.PAGED': 'the team is being paged now',
  'TEAM.OWNS_SERVICES': 'a team deleted while it runs services in the catalog',
  'TEAM.SERVICE_TAKEN': 'a service another team owns',
  'TEAM.SERVICES_IN_CATALOG': "a team's services taken away with --services none (they live in the catalog)",
  'TEAM.TOO_MANY': 'too many teams',
  'TEAM.TOO_MANY_MEMBERS': 'a team over its member limit',
  // What the store refuses to write (a value the document's schema does not allow): nothing is written.
  VALIDATION: 'a value the stored form does not allow',
  // The system, said to the person without the details (those go to the log with a reference).
  'SYSTEM.BUSY': 'too much work at once: try again',
  'SYSTEM.DB_UNAVAILABLE': 'the database did not answer in time',
  'SYSTEM.ERROR': 'something failed on our side (a reference goes with it)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);

/**
 * The message of a code that is always said the same way, with `{slot}`s the throw site fills
 * (`UserError.of('TICKET.NOT_FOUND', { id })`). A code whose message depends on the case (a usage error names its
 * option and what was typed) has none here: its throw site says it.
 */
export const ERROR_MESSAGES = {
  'ACTION.CLOSED_TICKET': '{id} is closed: its history is final, so no action can be recorded on it.',
  'ACTION.NOT_FOUND': 'There is no action {id} here.',
  'AS.NESTED': 'One /as at a time: it runs one command as one person.',
  'AS.TERMINAL_ONLY': '/as is for the terminal only: here everyone acts as themselves.',
  'CHANGE.DECIDED': '{id} is already {approval}; the CAB decision is final.',
  'CHANGE.FROZEN': '{id} is planned inside freeze {freezeId} ({reason}): approving it needs an admin.',
  'CSAT.NOT_RESOLVED': '{id} has not been resolved yet; rate it once it is.',
  'FREEZE.BAD_WINDOW': 'A freeze must end after it starts.',
  'FREEZE.NOT_FOUND': 'There is no freeze {id} here.',
  'FREEZE.NO_REASON': 'Say why changes are frozen.',
  'FREEZE.TOO_MANY': 'There are {max} freezes already; remove some first.',
  'LINK.BAD_CODE': 'The code {code} is unknown or has expired.',
  'LINK.SAME_IDENTITY': 'Enter the code on your other platform, not where you asked for it.',
  'LINK.TOO_MANY': 'Too many wrong link codes: wait 10 minutes, then run /link on your other platform for a new code.',
  'ONCALL.ACKNOWLEDGED': '{id} was acknowledged by {by}; it is not paging.',
  'ONCALL.BUSY': "{id}'s page moved on at the same moment; try again.",
  'ONCALL.SWAP_SELF': 'You cannot swap a shift with yourself.',
  'ONCALL.TOO_MANY': 'A team has at most {max} overrides.',
  'PIR.NOT_FOUND': '{id} has no PIR: one opens when a P1 or P2 incident is resolved.',
  'REVIEW.KIND_NOT_YET': '--kind {kind} reviews are not built yet; {kinds} are.',
  'REVIEW.NOT_FOUND': 'There is no review {id} here.',
  'REVIEW.SLA_ALWAYS_ON':
    'SLA notices are not a schedule: they are a standing watch, always on. Each open ticket tells its assignee (or, unassigned, the channel it came from) at 75% and 100% of its response and resolution targets; a P1/P2 breach is also posted in its card thread.',
  'ROLE.CONFIGURED': '{name} is an admin by configuration (SWITCHBOARD_ADMINS); change it there.',
  'ROLE.NONE': '{name} holds no granted role; they are a requester.',
  'SERVICE.BUSY': '{name} was changed by someone else at the same moment; nothing was {done}, try again.',
  'SERVICE.EXISTS': 'There is a service {name} in the catalog already.',
  'SERVICE.TOO_MANY': 'There are {max} services already; remove some first.',
  'TEAM.BUSY': '{team} was changed by someone else at the same moment; nothing was {done}.',
  'TEAM.EXISTS': 'There is a team {name} already.',
  'TEAM.SERVICE_TAKEN': '{service} belongs to {team} already.',
  'TEAM.TOO_MANY': 'There are {max} teams already; remove some first.',
  'TEAM.TOO_MANY_MEMBERS': 'A team has at most {max} members.',
  'TICKET.BUSY': '{id} is being changed by others right now; nothing was changed, try again.',
  'TICKET.NOT_FOUND': 'There is no ticket {id} here.',
  VALIDATION: 'That was not saved: {problems}',
} as const satisfies Partial<Record<ErrorCode, string>>;

/** The codes said in one fixed form. */
export type TemplatedCode = keyof typeof ERROR_MESSAGES;

type SlotsOf<T extends string> = T extends `${string}{${infer Slot}}${infer Rest}` ? Slot | SlotsOf<Rest> : never;

/** What a code's template needs filled: one value per `{slot}`. */
export type MessageSlots<C extends TemplatedCode> = {
  readonly [S in SlotsOf<(typeof ERROR_MESSAGES)[C]>]: string | number;
};

/** A code's message with its slots filled. */
export function messageOf<C extends TemplatedCode>(code: C, slots: MessageSlots<C>): string {
  const values = slots as Readonly<Record<string, string | number>>;
  return (ERROR_MESSAGES[code] as string).replace(/\{(\w+)\}/g, (_, slot: string) => String(values[slot]));
}
