import { buildCli } from "@/lib/config/cli";
import { OptionsError, type ServerOptions } from "@/lib/config/options";
import { logger } from "@/lib/logger";
import { startServer } from "@/server";

/**
 * `stepwise dev` / `stepwise start` (flags in lib/config/cli.ts). Bad options exit with code 2
 * and a message naming each problem; SIGINT/SIGTERM shut down gracefully.
 */
async function run(options: ServerOptions): Promise<void> {
  const server = await startServer(options);
  const label = options.mode === "dev" ? "Stepwise dev server" : "Stepwise";
  console.log(`${label} ready on ${server.url} (database: ${server.runtime.dialect})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing calls in flight");
    const force = setTimeout(() => process.exit(1), options.shutdownGraceMs + 10_000);
    force.unref();
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

buildCli(run)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof OptionsError) {
      console.error(error.message);
      process.exit(2);
    }
    logger.fatal({ err: error }, "stepwise failed to start");
    process.exit(1);
  });
