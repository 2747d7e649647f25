import { defineFlowKeysSuite } from "./support/flow-keys-suite";

// Keyed flow-control state under concurrent transactions on SQLite.
defineFlowKeysSuite("sqlite", false);
