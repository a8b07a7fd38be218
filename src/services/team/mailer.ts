import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer, { type SendMailOptions } from "nodemailer";
import type { Logger } from "pino";
import type { Config } from "../../config";

/** One email: plain text always, HTML optionally (sent as multipart/alternative). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends the server's emails. `send` resolves once the message is handed over (accepted by the
 * mail server, or written down) and rejects when it was not.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** The longest line SMTP carries, CRLF excluded (RFC 5321). */
const MAX_LINE_OCTETS = 998;

/**
 * nodemailer's options for a message, written so that a link survives being copied out of the raw
 * message (an .eml file opened in a text editor, or a mail client's "show source").
 *
 * Left to itself, nodemailer encodes a text part with any line over 76 characters, or any
 * non-ASCII character, as quoted-printable: a long link is cut with soft line breaks and its `=`
 * becomes `=3D`, so the link copied from the raw message does not work. So the text part goes
 * out as written: 7bit when it is ASCII, else 8bit (announced with BODY=8BITMIME to servers that
 * offer it), its lines within SMTP's 998 octets (a longer line falls back to nodemailer's choice).
 * The HTML part is base64, so that the only readable link in the raw message is the working one.
 */
export function mailOptions(from: string, message: MailMessage): SendMailOptions {
  const text = message.text.replace(/\r?\n/g, "\r\n");
  const fits = text.split("\r\n").every((line) => Buffer.byteLength(line) <= MAX_LINE_OCTETS);
  const ascii = /^[\t\r\n\x20-\x7e]*$/.test(text);
  const options: SendMailOptions = {
    from,
    to: message.to,
    subject: message.subject,
    text: fits
      ? { raw: `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${ascii ? "7bit" : "8bit"}\r\n\r\n${text}` }
      : message.text,
  };
  if (message.html !== undefined) options.html = { content: message.html, contentTransferEncoding: "base64" };
  if (fits && !ascii) options.envelope = { from, to: message.to, use8BitMime: true };
  return options;
}

/** How long a send may wait on the mail server: a request that sends mail waits for it. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** Sends through an SMTP server given as `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export class SmtpMailer implements Mailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail(mailOptions(this.from, message));
  }
}

/**
 * Writes each email as an RFC 822 message (`.eml`, CRLF line ends, as nodemailer would send it)
 * under `dir`, readable by the owner only: the email may carry a secret link. Only the file's
 * path is logged, never its content.
 */
export class FileMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });

  constructor(
    private readonly dir: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail(mailOptions(this.from, message));
    if (!Buffer.isBuffer(info.message)) throw new Error("the stream transport did not return a buffer");
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const file = path.join(this.dir, `${stamp}-${randomBytes(6).toString("hex")}.eml`);
    await writeFile(file, info.message, { mode: 0o600, flag: "wx" });
    this.log.info({ file }, "email written to a file (set SMTP_URL to send it)");
  }
}

/** SMTP when SMTP_URL is set, else .eml files under DATA_DIR/mail. */
export function createMailer(config: Pick<Config, "smtpUrl" | "mailFrom" | "dataDir">, log: Logger): Mailer {
  if (config.smtpUrl) {
    // The host only: the URL may carry credentials.
    log.info({ smtpHost: new URL(config.smtpUrl).host }, "emails are sent through SMTP");
    return new SmtpMailer(config.smtpUrl, config.mailFrom);
  }
  const dir = path.join(config.dataDir, "mail");
  log.info({ dir }, "no SMTP_URL: emails are written as .eml files");
  return new FileMailer(dir, config.mailFrom, log);
}
