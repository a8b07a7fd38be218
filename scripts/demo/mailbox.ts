import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { FileMailer, type MailMessage, type Mailer } from "../../src/services/team/mailer";

/**
 * The demo server's mail: members join the demo workspace the way anyone does, by invitation,
 * and the seed reads their links here instead of sending them anywhere. The one invitation left
 * pending is written as an .eml file under DATA_DIR/mail, as the server does without SMTP_URL,
 * so there is an email to open and a link to follow.
 */
export class DemoMailbox implements Mailer {
  private readonly links = new Map<string, string>();
  private keep = false;
  private readonly files: FileMailer;

  constructor(
    private readonly dir: string,
    from: string,
    log: Logger,
  ) {
    this.files = new FileMailer(dir, from, log);
  }

  async send(message: MailMessage): Promise<void> {
    const link = /https?:\/\/\S+/.exec(message.text)?.[0];
    if (!link) throw new Error(`no link in the email to ${message.to}`);
    this.links.set(message.to.toLowerCase(), link);
    if (this.keep) await this.files.send(message);
  }

  /** The invitation token last sent to `email`. */
  tokenFor(email: string): string {
    const link = this.links.get(email.toLowerCase());
    const token = link && new URL(link).searchParams.get("token");
    if (!token) throw new Error(`no invitation was sent to ${email}`);
    return token;
  }

  /** Runs `send` (which sends one email) with the email kept as a file; returns the file's path. */
  async keepAsFile(send: () => Promise<void>): Promise<string | undefined> {
    const before = new Set(await this.listing());
    this.keep = true;
    try {
      await send();
    } finally {
      this.keep = false;
    }
    const written = (await this.listing()).filter((f) => !before.has(f));
    return written.length === 1 ? path.join(this.dir, written[0]) : undefined;
  }

  private async listing(): Promise<string[]> {
    return readdir(this.dir).catch(() => []);
  }
}
