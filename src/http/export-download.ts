import { pipeline } from "node:stream/promises";
import { type RequestHandler, Router } from "express";
import type { Logger } from "pino";
import type { Actor } from "../context";
import { isUuid } from "../db/uuid";
import type { Download } from "../services/exports/export-runner";
import { admittedActor } from "./limits";

/** The path of an export's file; its id is a uuid, so no other file can be named. */
export const EXPORT_DOWNLOAD_PATH = "/exports/:id/download";

/**
 * GET /exports/<id>/download: an export's CSV file, streamed from disk, for its requester's own
 * bearer token (the same Authorization header as /graphql, looked up by the same admission) or for
 * a single-use `?token=` link from its downloadUrl (a HEAD answers the same headers without using
 * it up). Anything else is 404 with no detail (unknown, someone else's, not finished, expired, a
 * used or forged link, a requester no longer an administrator or editor), or 401 without any credential.
 */
export function exportDownload(
  admission: RequestHandler,
  openDownload: (request: { exportId: string; actor?: Actor; token?: string; consume?: boolean }) => Promise<Download | undefined>,
  log: Logger,
): Router {
  const router = Router();
  router.get(EXPORT_DOWNLOAD_PATH, admission, async (req, res, next) => {
    const exportId = String(req.params.id);
    const token = typeof req.query.token === "string" ? req.query.token : undefined;
    const actor = admittedActor(res);
    res.set("cache-control", "no-store");
    if (!token && !actor) {
      res.status(401).set("www-authenticate", "Bearer").type("text/plain").send("Log in first, or use the export's download link.\n");
      return;
    }
    let found: Download | undefined;
    try {
      found = isUuid(exportId) ? await openDownload({ exportId, actor, token, consume: req.method !== "HEAD" }) : undefined;
    } catch (error) {
      next(error);
      return;
    }
    if (!found) {
      res.status(404).type("text/plain").send("No such export, or its link was used or has expired.\n");
      return;
    }
    res.status(200).set({
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${found.filename}"`,
      "content-length": String(found.size),
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") {
      await found.handle.close().catch(() => undefined);
      res.end();
      return;
    }
    try {
      await pipeline(found.handle.createReadStream(), res);
    } catch (error) {
      // The client went away, or the disk failed: the answer is already under way.
      log.warn({ err: error, exportId }, "an export's download ended early");
    } finally {
      await found.handle.close().catch(() => undefined);
    }
  });
  return router;
}
