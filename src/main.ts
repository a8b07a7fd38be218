import "reflect-metadata";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./http/logger";
import { startServer } from "./server";

/** The composition root: configuration, then the server, then signal handling. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config);
  const server = await startServer(config, { log });
  process.stdout.write(`\nHandover is ready: ${server.url} (GraphiQL: open it in a browser)\n\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, config.shutdownGraceMs);
    timer.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`Handover failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
