import http from "node:http";
import https from "node:https";
import { AddressRefused, checkWebhookUrl, guardedLookup } from "./address-guard";

/** How one POST went. */
export interface Attempt {
  /** A 2xx came back. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The start of the response's body, as text. */
  response: string | null;
  /** Why it failed, when it did: for the delivery log, never a stack. */
  error: string | null;
}

export interface SenderOptions {
  /** The whole request, connection to last byte (WEBHOOK_TIMEOUT_MS, 10 s). */
  timeoutMs: number;
  allowPrivate: boolean;
  /** The response's body is read up to this many bytes, then the connection is dropped. */
  maxResponseBytes?: number;
  /** Of what was read, this many characters are kept in the log. */
  keptResponseChars?: number;
}

const USER_AGENT = "Handover-Webhooks/1";

/**
 * Sends webhook requests: POST, no redirect followed (a 3xx is a failure), at most `timeoutMs`
 * from the start, the response read up to 64 KB, the connection refused when its address is not
 * public (address-guard.ts). Connections are kept alive between deliveries to the same host.
 */
export class Sender {
  private readonly agents = {
    // No cap on sockets per host: an endpoint has one request in flight at a time, so what is open is
    // bounded by the endpoints; a cap would make one workspace's slow receiver delay another's on a shared host.
    http: new http.Agent({ keepAlive: true, maxFreeSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxFreeSockets: 16 }),
  };
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(private readonly options: SenderOptions) {
    this.lookup = guardedLookup(options.allowPrivate);
  }

  async post(rawUrl: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    let url: URL;
    try {
      // A literal address is connected to without a lookup: checked here; names are checked by the lookup.
      url = await checkLiteral(rawUrl, this.options.allowPrivate);
    } catch (error) {
      return { ok: false, statusCode: null, durationMs: elapsed(), response: null, error: messageOf(error) };
    }
    const maxBytes = this.options.maxResponseBytes ?? 64 * 1024;
    const keep = this.options.keptResponseChars ?? 2048;
    return new Promise<Attempt>((resolve) => {
      let settled = false;
      const finish = (attempt: Omit<Attempt, "durationMs">) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...attempt, durationMs: elapsed() });
      };
      const client = url.protocol === "https:" ? https : http;
      const request = client.request(
        url,
        {
          method: "POST",
          agent: url.protocol === "https:" ? this.agents.https : this.agents.http,
          lookup: this.lookup as unknown as http.RequestOptions["lookup"],
          headers: {
            ...headers,
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            "user-agent": USER_AGENT,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          let read = 0;
          const done = () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString("utf8").slice(0, keep);
            const ok = status >= 200 && status < 300;
            finish({
              ok,
              statusCode: status,
              response: text === "" ? null : text,
              error: ok ? null : status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
            });
          };
          response.on("data", (chunk: Buffer) => {
            if (read >= maxBytes) return;
            chunks.push(chunk.subarray(0, maxBytes - read));
            read += chunk.length;
            // Enough read: the rest is not waited for, and the connection is not reused.
            if (read >= maxBytes) {
              done();
              response.destroy();
            }
          });
          response.on("end", done);
          response.on("error", (error) =>
            finish({ ok: false, statusCode: response.statusCode ?? null, response: null, error: messageOf(error) }),
          );
        },
      );
      const timer = setTimeout(() => {
        finish({ ok: false, statusCode: null, response: null, error: `no answer within ${this.options.timeoutMs} ms` });
        request.destroy();
      }, this.options.timeoutMs);
      request.on("error", (error) => finish({ ok: false, statusCode: null, response: null, error: messageOf(error) }));
      request.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** The URL, refused when its host is a literal address that is not public (names are checked at connect time). */
async function checkLiteral(rawUrl: string, allowPrivate: boolean): Promise<URL> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (allowPrivate || !/^[\d.]+$|:/.test(host)) return url;
  return checkWebhookUrl(rawUrl, allowPrivate);
}

function messageOf(error: unknown): string {
  if (error instanceof AddressRefused) return `refused: ${error.message}`;
  const e = error as NodeJS.ErrnoException;
  const text = e?.code ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ""}` : String(e?.message ?? error);
  return text.slice(0, 500);
}
