import { defineFlowKeysSuite } from "./support/flow-keys-suite";
import { postgresMissing } from "./support/test-sql";

// Keyed flow-control state under concurrent transactions on a real PostgreSQL database.
defineFlowKeysSuite("postgres", await postgresMissing());
