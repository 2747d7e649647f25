import { describe, expect, it } from "vitest";

import { BufferedRequest, TextResponse } from "@/lib/http/buffered";
import { json, readJson } from "@/lib/http/responses";

// The custom server hands route handlers BufferedRequests and writes TextResponses without
// streams; everywhere else (Next, tests, handlers reading .body) they must behave as the
// standard Request and Response do.

const body = JSON.stringify({ name: "user.created", data: { user_id: "123" } });
const request = () =>
  new BufferedRequest(
    "http://localhost/e/key",
    { method: "POST", headers: new Headers({ "content-type": "application/json" }) },
    Buffer.from(body),
  );

describe("BufferedRequest", () => {
  it("is a Request whose body reads as text, JSON, bytes or a stream", async () => {
    expect(request()).toBeInstanceOf(Request);
    expect(await request().text()).toBe(body);
    expect(await request().json()).toEqual(JSON.parse(body));
    expect(Buffer.from(await request().arrayBuffer()).toString()).toBe(body);
    expect(await new Response(request().body).text()).toBe(body);
    expect(await readJson(request())).toEqual(JSON.parse(body));
    expect(request().headers.get("content-type")).toBe("application/json");
  });

  it("can be read once, like any Request", async () => {
    const req = request();
    await req.text();
    expect(req.bodyUsed).toBe(true);
    await expect(req.text()).rejects.toThrow(TypeError);
    const clone = request().clone();
    expect(await clone.text()).toBe(body);
  });

  it("enforces readJson's size limit", async () => {
    await expect(readJson(request(), 10)).rejects.toMatchObject({ code: "payload_too_large" });
  });

  it("without a body has none", async () => {
    const get = new BufferedRequest("http://localhost/health", { method: "GET", headers: new Headers() }, null);
    expect(get.body).toBeNull();
    expect(await get.text()).toBe("");
  });
});

describe("TextResponse (what json() answers)", () => {
  it("is a Response with status, headers and a body readable every standard way", async () => {
    const res = json({ ids: ["a"], status: 200 }, 201, { "x-extra": "1" });
    expect(res).toBeInstanceOf(Response);
    expect(res).toBeInstanceOf(TextResponse);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-extra")).toBe("1");
    expect((res as TextResponse).bodyText).toBe(`{"ids":["a"],"status":200}`);
    expect(await res.clone().json()).toEqual({ ids: ["a"], status: 200 });
    expect(await new Response(res.clone().body).text()).toBe(`{"ids":["a"],"status":200}`);
    expect(Buffer.from(await res.clone().arrayBuffer()).toString()).toBe(`{"ids":["a"],"status":200}`);
    expect(await res.text()).toBe(`{"ids":["a"],"status":200}`);
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });
});
