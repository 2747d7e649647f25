/**
 * Web Request/Response objects whose bodies are plain bytes/text instead of streams.
 *
 * Route handlers are Web `Request → Response` functions (Next serves them too), and the custom
 * server dispatches the hot API paths straight to them. A body given to `new Request` or
 * `new Response` becomes a ReadableStream, and reading it back goes through the stream
 * machinery: at one small event per request that was ~15% of the server's CPU, more than
 * storing the event. These subclasses keep the body as it is and hand it over directly to
 * `readText` (lib/http/responses.ts) and to the custom server; anything that asks for the
 * stream (`.body`) or another reader gets a real one built on demand, so they behave as the
 * standard classes everywhere else (Next's pipeline included).
 */
export class BufferedRequest extends Request {
  #bytes: Buffer | null;
  #real: Request | null = null;
  #used = false;

  constructor(url: string, init: { method: string; headers: Headers }, bytes: Buffer | null) {
    super(url, { method: init.method, headers: init.headers });
    this.#bytes = bytes;
  }

  /** The body as text, once (like `text()`), without a stream. */
  takeText(): string {
    if (this.#used || this.#real?.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.#used = true;
    return this.#bytes ? this.#bytes.toString("utf8") : "";
  }

  /** Size of the body in bytes. */
  get byteLength(): number {
    return this.#bytes?.byteLength ?? 0;
  }

  private real(): Request {
    this.#real ??= new Request(this.url, {
      method: this.method,
      headers: this.headers,
      body: this.#used || !this.#bytes ? null : new Uint8Array(this.#bytes),
    });
    return this.#real;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#bytes ? this.real().body : null;
  }
  override get bodyUsed(): boolean {
    return this.#used || (this.#real?.bodyUsed ?? false);
  }
  override text(): Promise<string> {
    return new Promise((resolve) => resolve(this.takeText()));
  }
  override json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.real().arrayBuffer();
  }
  override blob(): Promise<Blob> {
    return this.real().blob();
  }
  override formData(): Promise<FormData> {
    return this.real().formData();
  }
  override clone(): Request {
    return new BufferedRequest(this.url, { method: this.method, headers: new Headers(this.headers) }, this.#bytes);
  }
}

export class TextResponse extends Response {
  readonly #text: string;
  #real: Response | null = null;
  #used = false;

  constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
  }

  /** The body as it was given; the custom server writes it without reading a stream. */
  get bodyText(): string {
    return this.#text;
  }

  private real(): Response {
    this.#real ??= new Response(this.#text, { status: this.status, statusText: this.statusText, headers: this.headers });
    return this.#real;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.real().body;
  }
  override get bodyUsed(): boolean {
    return this.#used || (this.#real?.bodyUsed ?? false);
  }
  override text(): Promise<string> {
    if (this.#real) return this.#real.text();
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    return Promise.resolve(this.#text);
  }
  override json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.real().arrayBuffer();
  }
  override blob(): Promise<Blob> {
    return this.real().blob();
  }
  override formData(): Promise<FormData> {
    return this.real().formData();
  }
  override clone(): Response {
    return new TextResponse(this.#text, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) });
  }
}
