// What the core needs to know about a failure without knowing the store: was the database out of reach?
export { isDatabaseUnavailable, mayHaveReachedDatabase } from '../store/connection.ts';
