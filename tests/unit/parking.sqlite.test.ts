import { defineParkingSuite } from "./support/parking-suite";

// Parking and waking behind shared concurrency slots on a real SQLite file.
defineParkingSuite("sqlite", false);
