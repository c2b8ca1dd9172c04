// A person's own settings (timezone, quiet hours): one small document per person who set any, keyed `tenant/personId`.
import { type Connection, type Model, Schema } from 'mongoose';

export interface PersonSettings {
  /** An IANA name set with /profile tz; null: the platform's, else the organisation's. */
  timezone: string | null;
  /** Local 'HH:MM' wall times in the person's timezone; null: none. */
  quiet: { from: string; to: string } | null;
}

export const NO_SETTINGS: Readonly<PersonSettings> = Object.freeze({ timezone: null, quiet: null });

interface SettingsDoc extends PersonSettings {
  _id: string;
  tenant: string;
  personId: string;
  updatedAt: Date;
}

const settingsKey = (tenant: string, personId: string): string => `${tenant}/${personId}`;

const settingsSchema = new Schema<SettingsDoc>(
  {
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    personId: { type: String, required: true },
    timezone: { type: String, default: null, maxlength: 64 },
    quiet: {
      type: new Schema(
        { from: { type: String, required: true }, to: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
    updatedAt: { type: Date, required: true },
  },
  // Only people who set something have a document, so the scans FerretDB makes on each update stay short.
  { collection: 'person_settings', versionKey: false },
);

export class PersonSettingsRepository {
  private readonly model: Model<SettingsDoc>;

  constructor(connection: Connection) {
    this.model =
      (connection.models.PersonSettings as Model<SettingsDoc> | undefined) ??
      connection.model<SettingsDoc>('PersonSettings', settingsSchema);
  }

  async of(tenant: string, personId: string): Promise<PersonSettings> {
    const d = await this.model
      .findOne({ _id: settingsKey(tenant, personId) }, { timezone: 1, quiet: 1 })
      .lean<PersonSettings>();
    return d ? { timezone: d.timezone ?? null, quiet: d.quiet ?? null } : { ...NO_SETTINGS };
  }

  /** Sets the fields given; a person's first setting creates their document. */
  async set(tenant: string, personId: string, change: Partial<PersonSettings>, at: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.model.updateOne(
          { _id: settingsKey(tenant, personId) },
          { $set: { ...change, updatedAt: at }, $setOnInsert: { tenant, personId } },
          { upsert: true, runValidators: true },
        );
        return;
      } catch (e) {
        // Two first-ever upserts can race to insert; the loser updates the winner's document.
        if ((e as { code?: number }).code !== 11000 || attempt > 2) throw e;
      }
    }
  }
}
