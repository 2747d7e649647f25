import { describe, expect, it } from "vitest";

import { buildCli } from "@/lib/config/cli";
import { OptionsError, type ServerOptions } from "@/lib/config/options";

/** Parses a command line the way `stepwise` does, answering the options the server would get. */
async function parse(argv: string[], env: Record<string, string | undefined> = {}): Promise<ServerOptions> {
  let got: ServerOptions | undefined;
  const cli = buildCli((options) => {
    got = options;
    return Promise.resolve();
  }, env);
  cli.exitOverride();
  await cli.parseAsync(["node", "stepwise", ...argv]);
  if (!got) throw new Error("no command ran");
  return got;
}

const KEY = "signkey-prod-0123456789abcdef";

describe("stepwise dev", () => {
  it("defaults: port 8288, all interfaces, .stepwise/dev.db, discovery and polling on", async () => {
    const o = await parse(["dev"]);
    expect(o).toMatchObject({
      mode: "dev",
      port: 8288,
      db: ".stepwise/dev.db",
      sdkUrls: [],
      discovery: true,
      poll: true,
      pollInterval: 5,
      maxRequestBytes: 512 * 1024,
      leaseMs: 30_000,
      eventKeys: [],
    });
    expect(o.host).toBeUndefined();
    expect(o.retryBaseMs).toBeUndefined();
  });

  it("takes every flag of the spec, short and long", async () => {
    const o = await parse([
      "dev",
      "-p",
      "9000",
      "--host",
      "127.0.0.1",
      "--db",
      "postgres://db/stepwise",
      "-u",
      "http://a/api/inngest",
      "--sdk-url",
      "http://b/api/inngest",
      "--no-discovery",
      "--no-poll",
      "--poll-interval",
      "30",
      "--workers",
      "7",
      "--max-request-bytes",
      "1024",
      "--retry-base-ms",
      "50",
      "--lease-ms",
      "2000",
      "--log-level",
      "warn",
    ]);
    expect(o).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      db: "postgres://db/stepwise",
      sdkUrls: ["http://a/api/inngest", "http://b/api/inngest"],
      discovery: false,
      poll: false,
      pollInterval: 30,
      workers: 7,
      maxRequestBytes: 1024,
      retryBaseMs: 50,
      leaseMs: 2000,
      logLevel: "warn",
    });
    expect((await parse(["dev", "--port", "9001"])).port).toBe(9001);
  });

  it("reads STEPWISE_* variables, and flags win over them", async () => {
    const env = {
      STEPWISE_PORT: "7000",
      STEPWISE_HOST: "0.0.0.0",
      STEPWISE_DB: "/tmp/x.db",
      STEPWISE_SDK_URL: "http://a/api/inngest, http://b/api/inngest",
      STEPWISE_NO_DISCOVERY: "1",
      STEPWISE_NO_POLL: "true",
      STEPWISE_POLL_INTERVAL: "9",
      STEPWISE_MAX_REQUEST_BYTES: "2048",
      STEPWISE_RETRY_BASE_MS: "10",
      STEPWISE_LEASE_MS: "1500",
      STEPWISE_WORKERS: "3",
    };
    const fromEnv = await parse(["dev"], env);
    expect(fromEnv).toMatchObject({
      port: 7000,
      host: "0.0.0.0",
      db: "/tmp/x.db",
      sdkUrls: ["http://a/api/inngest", "http://b/api/inngest"],
      discovery: false,
      poll: false,
      pollInterval: 9,
      maxRequestBytes: 2048,
      retryBaseMs: 10,
      leaseMs: 1500,
      workers: 3,
    });
    const flagsWin = await parse(
      ["dev", "-p", "7001", "--db", "/tmp/y.db", "-u", "http://c/api/inngest", "--lease-ms", "900"],
      env,
    );
    expect(flagsWin).toMatchObject({ port: 7001, db: "/tmp/y.db", sdkUrls: ["http://c/api/inngest"], leaseMs: 900 });
    // A variable that says "no" keeps the feature on.
    expect((await parse(["dev"], { STEPWISE_NO_DISCOVERY: "0", STEPWISE_NO_POLL: "false" })).discovery).toBe(true);
  });

  it("refuses bad values with a message naming the option", async () => {
    await expect(parse(["dev", "--port", "http"])).rejects.toThrow(OptionsError);
    await expect(parse(["dev", "--port", "70000"])).rejects.toThrow(/port/);
    await expect(parse(["dev", "--lease-ms", "10"])).rejects.toThrow(/leaseMs: the lease must be at least 500 ms/);
    await expect(parse(["dev", "--log-level", "loud"])).rejects.toThrow(/logLevel/);
    await expect(parse(["dev"], { STEPWISE_NO_POLL: "perhaps" })).rejects.toThrow(/STEPWISE_NO_POLL/);
  });
});

describe("stepwise start", () => {
  it("needs an event key and a signing key, and says so", async () => {
    const error = await parse(["start"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as Error).message).toMatch(/--event-key/);
    expect((error as Error).message).toMatch(/--signing-key/);
    await expect(parse(["start", "--event-key", "k1"])).rejects.toThrow(/--signing-key/);
    await expect(parse(["start", "--signing-key", KEY])).rejects.toThrow(/--event-key/);
    await expect(parse(["start", "--event-key", "k1", "--signing-key", "not hex"])).rejects.toThrow(/hex/);
  });

  it("takes repeatable event keys from flags or a comma-separated variable", async () => {
    const o = await parse(["start", "--event-key", "k1", "--event-key", "k2", "--signing-key", KEY]);
    expect(o).toMatchObject({ mode: "start", eventKeys: ["k1", "k2"], signingKey: KEY, discovery: false });
    expect(o.db).toBe(".stepwise/main.db");
    const env = await parse(["start"], { STEPWISE_EVENT_KEY: "a,b", STEPWISE_SIGNING_KEY: KEY });
    expect(env).toMatchObject({ eventKeys: ["a", "b"], signingKey: KEY });
    const flagsWin = await parse(["start", "--event-key", "c"], { STEPWISE_EVENT_KEY: "a,b", STEPWISE_SIGNING_KEY: KEY });
    expect(flagsWin.eventKeys).toEqual(["c"]);
  });

  it("never scans for apps in production, whatever the environment says", async () => {
    const o = await parse(["start", "--event-key", "k", "--signing-key", KEY], { STEPWISE_NO_DISCOVERY: "0" });
    expect(o.discovery).toBe(false);
  });
});
