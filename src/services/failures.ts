// What the core needs to know about a failure without knowing the store: was the database out of reach?
export { isDatabaseUnavailable } from '../store/connection.ts';
