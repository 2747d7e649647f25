import { defineParkingSuite } from "./support/parking-suite";
import { postgresMissing } from "./support/test-sql";

// Parking and waking behind shared concurrency slots on a real PostgreSQL database.
defineParkingSuite("postgres", await postgresMissing());
