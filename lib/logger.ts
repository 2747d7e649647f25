import pino from "pino";

/**
 * One structured logger for the process. Secrets (signing and event keys) are never passed to
 * it; the redact list is a second line of defence for headers that might carry them.
 */
export const logger = pino({
  name: "stepwise",
  level: "info",
  redact: {
    paths: ["signingKey", "eventKey", "headers.authorization", "headers['x-inngest-signature']"],
    censor: "[redacted]",
  },
  base: undefined,
});

export type Logger = typeof logger;
