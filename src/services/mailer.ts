import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "pino";
import type { Config } from "../config";

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
    await this.transport.sendMail({ from: this.from, ...message });
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
    const info = await this.transport.sendMail({ from: this.from, ...message });
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
