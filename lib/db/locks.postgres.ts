/**
 * PostgreSQL's row locks, for the statements that need them: there several
 * transactions (and processes) write at once, where SQLite's single writer (`BEGIN IMMEDIATE`)
 * already serialises them. lib/db/locks.ts picks the clause for a connection.
 */
export const postgresLocks = {
  forUpdate: " FOR UPDATE",
  forUpdateSkipLocked: " FOR UPDATE SKIP LOCKED",
};
