// Interactions in, Invocations out: slash commands, buttons, modals, the "Open ticket" menu and autocomplete.
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { CommandDef } from '../../src/core/command.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { BoundedMap } from '../../src/kit/boundedMap.ts';
import { type WorkQueue, WorkQueueFull } from '../../src/kit/workQueue.ts';
import type { FormSpec, Reply } from '../../src/present/reply.ts';
import { type AnswerDeps, answer, answerNow, apology, busy, newRef, VisibilityGuess } from './answer.ts';
import { definitionFor, OPEN_TICKET_COMMAND, optionFor } from './commands.ts';
import { decodeCustomId, type FormStash, formCustomId, formForPress, splitActionId } from './customIds.ts';
import { actorOf, messageLink, originOf, workspaceOf } from './identity.ts';
import { messageOf, modalFields, modalOf } from './render.ts';

type Options = Record<string, string | boolean | number | undefined>;
type PickedPerson = { user: NonNullable<CommandInteractionOption['user']>; member: CommandInteractionOption['member'] };

export interface InteractionDeps {
  core: BotCore;
  log: Logger;
  answer: AnswerDeps;
  stash: FormStash;
  /** Forms seen on rendered actions, by action id: a button press opens its modal without a round trip. */
  actionForms: Map<string, { form: FormSpec; value: string }>;
  /** Where the work behind an answer runs (bounded): beyond it, people are told to try again. */
  work: WorkQueue;
}

const AUTOCOMPLETE_BUDGET_MS = 2_500;

export class DiscordInteractions {
  private readonly guess = new VisibilityGuess();
  /** Display names last saved per person: a pick of someone unchanged costs no write. */
  private readonly remembered = new BoundedMap<string, string>(10_000);

  constructor(private readonly d: InteractionDeps) {}

  async handle(i: Interaction): Promise<void> {
    const receivedAt = performance.now();
    try {
      if (i.isAutocomplete()) return await this.autocomplete(i);
      if (i.isChatInputCommand()) return await this.slash(i, receivedAt);
      if (i.isMessageContextMenuCommand()) return await this.openTicket(i, receivedAt);
      if (i.isButton()) return await this.button(i, receivedAt);
      if (i.isModalSubmit()) return await this.modal(i, receivedAt);
      // A user menu command, a select menu, anything registered or rendered by someone else:
      // Discord still wants an answer, and the person a reason.
      if (i.isRepliable()) {
        this.d.log.info({ interaction: i.id, type: i.type }, 'discord: an interaction of a kind not handled here');
        await i.reply({ content: 'Switchboard does not handle that here. Try /help.', flags: MessageFlags.Ephemeral });
      }
    } catch (err) {
      const ref = newRef();
      this.d.log.error({ err, ref, interaction: i.id }, 'discord: interaction failed');
      if (i.isAutocomplete()) await this.noSuggestions(i);
      else if (i.isRepliable()) await this.apologise(i, ref);
    }
  }

  /** Privately, whatever state the interaction is in: not answered, deferred (either way), or answered. */
  private async apologise(i: RepliableInteraction, ref: string): Promise<void> {
    try {
      await answerNow(i, apology(ref), this.d.answer);
    } catch (err) {
      this.d.log.warn({ err, ref }, 'discord: could not apologise either');
    }
  }

  private async noSuggestions(i: AutocompleteInteraction): Promise<void> {
    if (i.responded) return;
    await i.respond([]).catch((err) => this.d.log.warn({ err }, 'discord: could not answer an autocomplete'));
  }

  // ---- slash commands -------------------------------------------------------------------------

  private async slash(i: ChatInputCommandInteraction, receivedAt: number): Promise<void> {
    const sub = i.options.getSubcommand(false);
    const def = definitionFor(this.d.core.definitions(), i.commandName, sub);
    if (!def) {
      await i.reply({
        content: `This command is not known here any more: /${i.commandName}. Try /help.`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const raw = sub ? (i.options.data[0]?.options ?? []) : i.options.data;
    const { options, people } = this.optionsOf(def, raw);
    const workspace = workspaceOf(i.guildId, i.client);
    // People picked in USER options are saved (so replies can name them) inside the answered work,
    // never before the first answer: a slow database must not keep a modal or a deferral waiting.
    const rememberAll = () => this.rememberAll(people, workspace);
    const inv = this.invocation(i, def.command, def.name, options);
    if (await this.openFormInstead(i, inv, def, options)) {
      void rememberAll();
      return;
    }
    await this.run(i, inv, receivedAt, true, rememberAll);
  }

  /** Typed option values as the core wants them, and the people picked in USER options. */
  private optionsOf(
    def: CommandDef,
    raw: readonly CommandInteractionOption[],
  ): { options: Options; people: PickedPerson[] } {
    const options: Options = {};
    const people: PickedPerson[] = [];
    for (const o of raw) {
      const opt = optionFor(def, o.name);
      if (!opt) continue;
      if (o.user) {
        options[opt.name] = `discord:${o.user.id}`;
        people.push({ user: o.user, member: o.member });
      } else if (o.value !== undefined && o.value !== null) {
        options[opt.name] = o.value;
      }
    }
    return { options, people };
  }

  private async rememberAll(people: readonly PickedPerson[], workspace: string): Promise<void> {
    for (const p of people) await this.remember(p, workspace);
  }

  /** Never throws: a person not saved only shows as their id. */
  private async remember({ user, member }: PickedPerson, workspace: string): Promise<void> {
    const actor = actorOf(user, member as never);
    if (this.remembered.get(actor.id) === actor.displayName) return;
    try {
      await this.d.core.rememberPerson(actor, workspace);
      this.remembered.set(actor.id, actor.displayName);
    } catch (err) {
      this.d.log.warn({ err, person: actor.id }, 'discord: could not remember a person');
    }
  }

  /**
   * Modals must be the first answer, so whether one opens is decided here without the database:
   * the core's check says a bare command wants its form; a form command missing a field it asks for
   * opens the form with what was given already filled in.
   */
  private async openFormInstead(
    i: ChatInputCommandInteraction,
    inv: Invocation,
    def: CommandDef,
    options: Options,
  ): Promise<boolean> {
    const usage = this.d.core.check(inv);
    if (!usage) return false;
    const form =
      usage.form ??
      // Only a missing field is asked for: a value given but refused (too long, not a choice) is
      // answered in words, not put into a form that would have to cut or drop it.
      (usage.error === 'USAGE.MISSING' && def.formWhenEmpty?.fields.some((f) => f.name === usage.errorField)
        ? def.formWhenEmpty
        : undefined);
    if (!form) {
      await i.reply({ ...messageOf(usage), flags: MessageFlags.Ephemeral });
      return true;
    }
    const prefill: Record<string, string> = {};
    const hidden: Record<string, string> = { ...(form.hidden ?? {}) };
    const shown = modalFields(form);
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue;
      if (shown.some((f) => f.name === k)) prefill[k] = String(v);
      else hidden[k] = String(v);
    }
    await i.showModal(modalOf(form, formCustomId(form.id, hidden, this.d.stash), prefill));
    return true;
  }

  // ---- buttons and modals ---------------------------------------------------------------------

  private async button(i: ButtonInteraction, receivedAt: number): Promise<void> {
    const decoded = decodeCustomId(i.customId, this.d.stash);
    if (!decoded || decoded.kind === 'form') {
      await i.reply({
        content: 'This button is from an older version; use the slash command instead.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const [command, subcommand] = splitActionId(decoded.actionId);
    if (decoded.kind === 'formAction') {
      const form = this.formForAction(decoded.actionId, decoded.value);
      if (!form) {
        await i.reply({
          content: 'This button is from an older version; use the slash command instead.',
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      await i.showModal(modalOf(form, formCustomId(form.id, form.hidden ?? {}, this.d.stash)));
      return;
    }
    const inv = this.invocation(i, command, subcommand, { id: decoded.value });
    const usage = this.d.core.check(inv);
    if (usage) {
      await i.reply({ ...messageOf(usage), flags: MessageFlags.Ephemeral });
      return;
    }
    await this.run(i, inv, receivedAt, true);
  }

  /**
   * The action's form as last rendered, else one made from the command's text options; none for an
   * action no command stands for any more, or one with nothing to ask (a modal needs an input).
   */
  private formForAction(actionId: string, value: string): FormSpec | undefined {
    const seen = this.d.actionForms.get(actionId);
    if (seen) return formForPress(seen.form, seen.value, value);
    const [command, sub] = splitActionId(actionId);
    const def = this.d.core.definitions().find((d) => d.command === command && d.name === sub);
    if (!def) return undefined;
    const fields = def.options
      .filter((o) => o.name !== 'id' && (o.kind === 'text' || o.kind === 'choice'))
      .map((o) => ({
        name: o.name,
        label: o.name[0]?.toUpperCase() + o.name.slice(1),
        kind: o.kind === 'choice' ? ('choice' as const) : ('long' as const),
        ...(o.choices ? { choices: o.choices } : {}),
        required: Boolean(o.required),
      }));
    if (fields.length === 0) return undefined;
    return {
      id: actionId,
      title: `${def.summary.split(/[.(]/)[0] ?? actionId} ${value}`.trim(),
      submitLabel: 'Submit',
      fields,
      hidden: { id: value },
    };
  }

  private async modal(i: ModalSubmitInteraction, receivedAt: number): Promise<void> {
    const decoded = decodeCustomId(i.customId, this.d.stash);
    if (decoded?.kind !== 'form') {
      await i.reply({ content: 'That form has expired; please open it again.', flags: MessageFlags.Ephemeral });
      return;
    }
    const [command, subcommand] = splitActionId(decoded.formId);
    const options: Options = { ...decoded.hidden };
    for (const field of i.fields.fields.values()) {
      const f = field as { customId?: string; value?: string; values?: readonly string[] };
      if (!f.customId) continue;
      const v = f.values ? f.values[0] : f.value;
      if (v !== undefined && v !== '') options[f.customId] = v;
    }
    const inv = this.invocation(i, command, subcommand, options);
    const usage = this.d.core.check(inv);
    if (usage) {
      await i.reply({ ...messageOf(usage), flags: MessageFlags.Ephemeral });
      return;
    }
    await this.run(i, inv, receivedAt, false);
  }

  // ---- "Open ticket" on a message -------------------------------------------------------------

  private async openTicket(i: MessageContextMenuCommandInteraction, receivedAt: number): Promise<void> {
    if (i.commandName !== OPEN_TICKET_COMMAND) {
      await i.reply({ content: `Unknown menu command ${i.commandName}.`, flags: MessageFlags.Ephemeral });
      return;
    }
    const m = i.targetMessage;
    const link = messageLink(i.guildId, m.channelId, m.id);
    const workspace = workspaceOf(i.guildId, i.client);
    const inv: Invocation = {
      ...this.invocation(i, 'ticket', 'new', {}),
      origin: originOf(workspace, i.channelId, i.channel, link),
    };
    // One message, one ticket: "Open ticket" on it again (by anyone) answers with the ticket it has. The core
    // decides the title and description from the message's words.
    const source = { platform: 'discord' as const, workspace, channel: m.channelId, messageId: m.id, actor: inv.actor };
    const read = async () => ({
      text: m.content,
      author: m.member?.displayName ?? m.author.globalName ?? m.author.username,
      link,
      origin: inv.origin,
      deliveryId: i.id,
    });
    await this.run(i, inv, receivedAt, false, undefined, async () => {
      const result = await this.d.core.ticketFromMessage(source, read);
      return result.reply ?? apology(newRef());
    });
  }

  // ---- autocomplete ---------------------------------------------------------------------------

  private async autocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const sub = i.options.getSubcommand(false);
    const def = definitionFor(this.d.core.definitions(), i.commandName, sub);
    const opt = def ? optionFor(def, focused.name) : undefined;
    const query = String(focused.value ?? '');
    const workspace = workspaceOf(i.guildId, i.client);
    if (opt?.kind === 'text' && opt.autocomplete === 'service') {
      // The catalog kept in process: anything typed that it does not hold is still sent as typed.
      const found = await this.withinBudget(async () => {
        const { services } = await this.d.core.suggestServices('discord', workspace, query);
        return services.map((s) => ({ name: s.label, value: s.name }));
      }, 'service');
      await i.respond(found.slice(0, 25));
      return;
    }
    if (opt?.kind !== 'ticket' && !(opt?.kind === 'text' && opt.autocomplete)) {
      await i.respond([]);
      return;
    }
    const found = await this.withinBudget(async () => {
      const tickets = await this.d.core.suggestTickets('discord', workspace, query, actorOf(i.user, i.member));
      return tickets.map((t) => {
        const name = `${t.id} · ${t.title}`;
        return { name: name.length > 100 ? `${name.slice(0, 99)}…` : name, value: t.id };
      });
    }, 'ticket');
    await i.respond(found.slice(0, 25));
  }

  /** Autocomplete cannot be deferred: an empty list (a full pool, a slow or failing database) beats no answer. */
  private async withinBudget(
    suggest: () => Promise<Array<{ name: string; value: string }>>,
    what: string,
  ): Promise<Array<{ name: string; value: string }>> {
    return Promise.race([
      this.d.work.run(suggest).then((r) => r ?? []),
      new Promise<Array<{ name: string; value: string }>>((r) =>
        setTimeout(() => r([]), AUTOCOMPLETE_BUDGET_MS).unref(),
      ),
    ]).catch((err) => {
      this.d.log.warn({ err }, `discord: ${what} suggestions failed`);
      return [];
    });
  }

  // ---- running --------------------------------------------------------------------------------

  private invocation(i: RepliableInteraction, command: string, subcommand: string, options: Options): Invocation {
    return {
      actor: actorOf(i.user, i.member),
      origin: originOf(workspaceOf(i.guildId, i.client), i.channelId, i.channel),
      command,
      subcommand,
      options,
      deliveryId: i.id,
    };
  }

  /** Claims the delivery (a resumed gateway may hand the same interaction over again), runs, answers. */
  private async run(
    i: RepliableInteraction,
    inv: Invocation,
    receivedAt: number,
    fallbackEphemeral: boolean,
    before?: () => Promise<void>,
    handle?: (inv: Invocation) => Promise<Reply>,
  ): Promise<void> {
    const key = `${inv.command}.${inv.subcommand ?? ''}`;
    await answer(
      i,
      async () => {
        try {
          // The answer's own clock (defer at the deadline) keeps running while the work waits its turn.
          const done = await this.d.work.run(async () => {
            const r = await this.d.core.dispatch(
              `discord:interaction:${i.id}`,
              async () => {
                await before?.();
                return inv;
              },
              handle,
            );
            if (!r) {
              this.d.log.info({ interaction: i.id }, 'discord: interaction already handled; ignoring the redelivery');
              return null;
            }
            // Learned before anything is sent: the next one of these may already be on its way.
            this.guess.learn(key, r);
            this.noteForms(r);
            return r;
          });
          // Undefined: the adapter is stopping and the work never started.
          return done ?? null;
        } catch (err) {
          if (!(err instanceof WorkQueueFull)) throw err;
          const ref = newRef();
          this.d.log.warn({ ref, interaction: i.id, waiting: err.waiting }, 'discord: not done, too much work waiting');
          return busy(ref);
        }
      },
      { deps: this.d.answer, receivedAt, guessEphemeral: this.guess.ephemeral(key, fallbackEphemeral) },
    );
  }

  private noteForms(r: Reply): void {
    for (const a of r.actions ?? []) if (a.form) this.d.actionForms.set(a.id, { form: a.form, value: a.value });
  }
}
