// A document the schema refuses is the person's input, not a system fault: it leaves the store as a UserError.
import mongoose from 'mongoose';
import { UserError } from '../domain/errors.ts';

export async function validOrRefused<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof mongoose.Error.ValidationError) {
      const msgs = Object.values(err.errors).map((e) => `${e.path}: ${e.message}`);
      throw UserError.of('VALIDATION', { problems: msgs.join('; ') }, '');
    }
    throw err;
  }
}
