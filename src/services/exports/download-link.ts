import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Single-use download links: `?token=<expiry>.<nonce>.<mac>`, the mac an HMAC-SHA256 over the
 * export's id, the expiry and the nonce with a server secret. Checking a token needs no database;
 * using it consumes its nonce there (ticket_export_downloads), so a second use is refused.
 *
 * The secret is a random file in EXPORT_DIR, made at first use: every process that can serve an
 * export's file (they share EXPORT_DIR) verifies the links of the others, and a new secret (the
 * file deleted) voids every link given out.
 */
export class DownloadLinks {
  private secret: Buffer | undefined;

  constructor(private readonly exportDir: string) {}

  /** A fresh link token for this export, valid until `expiresAt`. */
  sign(exportId: string, expiresAt: Date): string {
    const expiry = String(Math.floor(expiresAt.getTime() / 1000));
    const nonce = randomBytes(16).toString("base64url");
    return `${expiry}.${nonce}.${this.mac(exportId, expiry, nonce)}`;
  }

  /** The nonce of a token made by `sign` for this export and not expired, else undefined. */
  verify(exportId: string, token: string, now = Date.now()): string | undefined {
    const parts = token.split(".");
    if (parts.length !== 3 || token.length > 200) return undefined;
    const [expiry, nonce, mac] = parts;
    if (!/^\d{1,12}$/.test(expiry) || !/^[\w-]{16,64}$/.test(nonce)) return undefined;
    // The mac's text, not its decoded bytes: base64url decoding ignores a last character's spare
    // bits and any character outside the alphabet, so altered texts would decode to the same mac.
    const expected = Buffer.from(this.mac(exportId, expiry, nonce), "ascii");
    const given = Buffer.from(mac, "ascii");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Number(expiry) * 1000 > now ? nonce : undefined;
  }

  private mac(exportId: string, expiry: string, nonce: string): string {
    return createHmac("sha256", this.key()).update(`${exportId}.${expiry}.${nonce}`).digest("base64url");
  }

  private key(): Buffer {
    this.secret ??= readOrCreateSecret(path.join(this.exportDir, ".link-secret"));
    return this.secret;
  }
}

function readOrCreateSecret(file: string): Buffer {
  try {
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32);
  try {
    // wx: two processes starting together keep the first one's.
    fs.writeFileSync(file, secret.toString("hex"), { flag: "wx", mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
  }
}
