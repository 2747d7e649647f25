import { describe, expect, it } from "vitest";

import { redact, REDACTED } from "@/lib/execution/gateway";

/** The AI key must not survive anywhere in what a step records, whatever the provider format. */
describe("gateway redaction", () => {
  it("removes the key from the auth_key option, a Gemini URL and an Azure header", () => {
    const key = "AIza-secret+key/1";
    const input = {
      auth_key: key,
      url: `https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key=${encodeURIComponent(key)}`,
      headers: { "api-key": key, "x-other": "kept" },
      body: { note: `said ${key} twice ${key}` },
    };
    const out = redact(input, key);
    expect(JSON.stringify(out)).not.toContain(key);
    expect(JSON.stringify(out)).not.toContain(encodeURIComponent(key));
    expect(out.auth_key).toBe(REDACTED);
    expect(out.url).toMatch(/key=\[redacted\]$/);
    expect(out.headers).toEqual({ "api-key": REDACTED, "x-other": "kept" });
    expect(out.body.note).toBe(`said ${REDACTED} twice ${REDACTED}`);
  });

  it("leaves everything alone without a key, and handles keys JSON has to escape", () => {
    const input = { url: "https://x.test/", body: { a: 1 } };
    expect(redact(input, "")).toBe(input);
    expect(redact({ h: 'k"\\q' }, 'k"\\q')).toEqual({ h: REDACTED });
  });
});
