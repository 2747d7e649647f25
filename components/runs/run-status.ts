/** Statuses a run never leaves: nothing of it runs again, and its page stops polling. */
const TERMINAL: readonly string[] = ["Completed", "Failed", "Cancelled", "Skipped"];

export const isTerminal = (status: string) => TERMINAL.includes(status);
