import { createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_`
 * followed by the base64 of its key; a request is signed with HMAC-SHA256 of
 * `${webhook-id}.${webhook-timestamp}.${body}` under the key, sent as `v1,<base64 of the MAC>`,
 * several signatures separated by spaces (during a rotation, one per secret).
 */

const PREFIX = "whsec_";

/** A new secret: 32 random bytes. */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

/** One signature, `v1,<base64>`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.${body}`, "utf8").digest("base64")}`;
}

/** The webhook-signature header: a signature per secret. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => sign(secret, id, timestamp, body)).join(" ");
}
