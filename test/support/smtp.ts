import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user the client authenticated as, if it did. */
  user: string | undefined;
  /** "8bitmime" when MAIL FROM announced BODY=8BITMIME, else "7bit". */
  bodyType: string;
  raw: string;
}

export interface TestSmtpServer {
  /** smtp://mailer:secret@127.0.0.1:PORT */
  url: string;
  messages: ReceivedMail[];
  close(): Promise<void>;
}

/** Recipients at this domain are refused (550), to test a failing send. */
export const BOUNCING_DOMAIN = "bounce.example";

/**
 * A real SMTP server on a random port that keeps every message in memory. A message is stored
 * before the server answers DATA, so once the sender's send has resolved, it is in `messages`.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "secret") return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith(`@${BOUNCING_DOMAIN}`)) return callback(new Error("No such mailbox"));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const from = session.envelope.mailFrom;
        messages.push({
          from: from ? from.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          // smtp-server records the BODY parameter here; its type declarations omit it.
          bodyType: (session.envelope as { bodyType?: string }).bodyType ?? "7bit",
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://mailer:secret@127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ParsedMail {
  headers: Map<string, string>;
  /** The text/plain part, decoded. */
  text: string;
  /** The text/html part, decoded, if any. */
  html: string | undefined;
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const soft = body.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === "=" ? soft.slice(i + 1, i + 3) : "";
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? "" : raw.slice(end + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** Just enough MIME to read what nodemailer writes: one part or multipart/alternative. */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHeaders(raw);
  const parts: Array<{ type: string; content: string }> = [];
  const collect = (partHeaders: Map<string, string>, partBody: string) => {
    const type = partHeaders.get("content-type") ?? "text/plain";
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith("multipart/") && boundary) {
      for (const chunk of partBody.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith("--")) break;
        const inner = splitHeaders(chunk.replace(/^\r\n/, ""));
        collect(inner.headers, inner.body);
      }
      return;
    }
    const encoding = (partHeaders.get("content-transfer-encoding") ?? "7bit").toLowerCase();
    const content =
      encoding === "quoted-printable"
        ? decodeQuotedPrintable(partBody)
        : encoding === "base64"
          ? Buffer.from(partBody.replace(/\s+/g, ""), "base64").toString("utf8")
          : partBody;
    parts.push({ type: type.toLowerCase(), content });
  };
  collect(headers, body);
  return {
    headers,
    text: parts.find((p) => p.type.startsWith("text/plain"))?.content ?? "",
    html: parts.find((p) => p.type.startsWith("text/html"))?.content,
  };
}

/** The invitation token in an email's link, whatever the server's public address. */
export function invitationTokenIn(raw: string): string {
  const match = /\/invitations\/accept\?token=(\S+)$/m.exec(parseMail(raw).text);
  if (!match) throw new Error(`no invitation link in:\n${raw}`);
  return decodeURIComponent(match[1]);
}
