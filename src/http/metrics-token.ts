import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { bearerToken } from "../auth/tokens";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * Guards /metrics with METRICS_TOKEN: only `Authorization: Bearer <token>` passes, anything else
 * is 401. The two are compared through their SHA-256 digests, in constant time, so that neither
 * the token's characters nor its length can be found by timing answers. Without a token the
 * endpoint is open (for a scraper that reaches it on an internal interface only).
 */
export function metricsGuard(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req: Request, _res: Response, next: NextFunction) => next();
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = bearerToken(req.headers.authorization) ?? "";
    if (timingSafeEqual(digest(given), expected)) return next();
    res
      .status(401)
      .set("www-authenticate", 'Bearer realm="metrics"')
      .type("text/plain")
      .send("Unauthorized: /metrics needs Authorization: Bearer with the configured METRICS_TOKEN.\n");
  };
}
