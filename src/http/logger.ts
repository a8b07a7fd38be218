import pino, { type Logger } from "pino";
import type { Config } from "../config";

/** Structured JSON logs on stdout. Secrets never go through it: tokens and passwords are redacted. */
export function createLogger(config: Pick<Config, "logLevel">): Logger {
  return pino({
    level: config.logLevel,
    base: { service: "handover" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["password", "token", "*.password", "*.token", "req.headers.authorization", "variables.input.password"],
      censor: "[redacted]",
    },
  });
}
