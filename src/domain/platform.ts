// The chat platforms the house speaks on, by name.
export const PLATFORMS = Object.freeze(['slack', 'discord', 'console'] as const);
export type Platform = (typeof PLATFORMS)[number];
