// Property tests draw a new seed on every run on a developer's machine (so they go on finding cases), and one
// fixed seed under CI (so a verdict does not depend on luck); FC_SEED picks one, to replay a failure.
import fc from 'fast-check';

const fixed = process.env.FC_SEED ?? (process.env.CI ? '20261202' : undefined);
if (fixed !== undefined) fc.configureGlobal({ seed: Number(fixed) });
