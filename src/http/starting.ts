import type { NextFunction, Request, Response } from "express";
import type { ErrorCode } from "../errors";

const code: ErrorCode = "SERVICE_UNAVAILABLE";

/**
 * The first handler: the port is bound before the database is opened and migrated (so that a
 * port that is taken stops the start before anything is written), and until the server is ready
 * every request, /healthz and /readyz included, gets 503 with Retry-After.
 */
export function untilReady(isReady: () => boolean) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (isReady()) return next();
    res
      .status(503)
      .set("retry-after", "1")
      .json({ status: "starting", errors: [{ message: "Handover is starting; try again in a moment.", extensions: { code } }] });
  };
}
