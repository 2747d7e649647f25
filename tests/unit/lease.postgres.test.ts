import { defineLeaseSuite } from "./support/lease-suite";
import { postgresMissing } from "./support/test-sql";

// lib/queue/lease.postgres.ts against a real PostgreSQL: several pools (separate connections)
// lease at once, as several processes would.
defineLeaseSuite("postgres", await postgresMissing(), (t) => [t.open(2), t.open(2), t.open(2), t.open(2)]);
