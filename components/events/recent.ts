/** The front page's "Recent events" panel: how many events it shows (shared with the server render). */
export const RECENT_EVENTS_LIMIT = 20;
