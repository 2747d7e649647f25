import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

import { skipWithoutDatabase } from "../support/db";
import { api, startServer, type TestServer } from "../support/server";

const skip = await skipWithoutDatabase();
const SIGNING_KEY = "signkey-prod-0123456789abcdef0123456789abcdef";
const PASSWORD = "correct horse battery staple";

/** Opens the realtime socket; answers the HTTP status of the upgrade (101 when accepted). */
function upgrade(server: TestServer, cookie?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/realtime`, { headers: cookie ? { cookie } : {} });
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("error", () => resolve(0));
  });
}

describe.skipIf(skip)("production access control", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      mode: "start",
      args: ["--event-key", "ek", "--signing-key", SIGNING_KEY, "--admin-password", PASSWORD],
    });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("the management API needs the admin password (or the signing key) as a Bearer token", async () => {
    const anonymous = await api<{ code: string; status: number }>(server, "GET", "/api/v1/functions", undefined, {
      authorization: "",
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: "unauthorized", status: 401 });
    for (const path of ["/v1/events", "/api/v1/runs", "/api/v1/apps"])
      expect((await api(server, "GET", path, undefined, { authorization: "" })).status, path).toBe(401);
    expect((await api(server, "GET", "/api/v1/functions", undefined, { authorization: "Bearer nope" })).status).toBe(401);
    expect((await api(server, "GET", "/api/v1/functions", undefined, { authorization: `Bearer ${PASSWORD}` })).status).toBe(200);
    expect((await api(server, "GET", "/api/v1/functions", undefined, { authorization: `Bearer ${SIGNING_KEY}` })).status).toBe(
      200,
    );
  });

  it("events, health and metrics stay reachable with their own rules", async () => {
    expect((await api(server, "POST", "/e/ek", { name: "a.b" }, { authorization: "" })).status).toBe(200);
    expect((await api(server, "GET", "/health", undefined, { authorization: "" })).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });

  it("pages send people to the login, which sets a session cookie that opens pages, API and socket", async () => {
    const page = await fetch(`${server.url}/runs?status=Failed`, { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/runs?status=Failed")}`);
    expect((await fetch(`${server.url}/login`)).status).toBe(200);
    expect(await upgrade(server)).toBe(401);

    const wrong = await api<{ field: string }>(
      server,
      "POST",
      "/api/v1/auth/login",
      { password: "guess" },
      { authorization: "" },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.field).toBe("password");
    const missing = await api(server, "POST", "/api/v1/auth/login", {}, { authorization: "" });
    expect(missing.status).toBe(400);

    const login = await api(server, "POST", "/api/v1/auth/login", { password: PASSWORD }, { authorization: "" });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    const cookie = setCookie.split(";")[0] as string;

    const withCookie = await fetch(`${server.url}/runs`, { headers: { cookie }, redirect: "manual" });
    expect(withCookie.status).toBe(200);
    expect((await api(server, "GET", "/api/v1/functions", undefined, { authorization: "", cookie })).status).toBe(200);
    expect(await upgrade(server, cookie)).toBe(101);

    // A forged or expired-looking cookie opens nothing.
    const forged = cookie.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    expect((await fetch(`${server.url}/runs`, { headers: { cookie: forged }, redirect: "manual" })).status).toBe(302);

    const logout = await api(server, "POST", "/api/v1/auth/logout", undefined, { authorization: "", cookie });
    expect(logout.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("secrets never appear in API answers", async () => {
    const info = await api(server, "GET", "/api/v1/info");
    const text = JSON.stringify(info.body);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(SIGNING_KEY.slice(-20));
  });
});

describe.skipIf(skip)("the dev server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it("asks for nothing", async () => {
    expect((await api(server, "GET", "/api/v1/functions")).status).toBe(200);
    expect((await fetch(`${server.url}/runs`, { redirect: "manual" })).status).toBe(200);
    expect(await upgrade(server)).toBe(101);
  });
});
