// How long the fakes wait for something that must come: a loaded machine (four suites on two cores) gets at least this.
export const WAIT_FLOOR_MS = 30_000;
