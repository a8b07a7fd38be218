import { createHash, randomBytes } from "node:crypto";

const PREFIX = "hov_";

/** A new bearer token: 256 random bits. Shown once; only its hash is stored. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/** Extracts the token from an `Authorization: Bearer <token>` value; undefined when absent. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== "string") return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : header.trim() === "" ? undefined : "";
}
