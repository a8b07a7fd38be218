import type { RequestHandler } from "express";
import type { ErrorCode } from "../errors";

/** Headers whose presence shows that a browser asked first (a preflight) before sending the request. */
export const PREFLIGHT_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight", "authorization"];

/** The content types a browser sends across origins without asking (a form, a no-cors fetch). */
const SIMPLE_CONTENT_TYPES = new Set(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * Refuses a request any page could have sent without a preflight: no content type or a simple
 * one, and none of the preflight headers. It runs before the token is looked up and before the
 * rate buckets, so a page that fires such requests from a visitor's browser neither runs
 * anything nor uses up the visitor's (or their network's) rate limit. Apollo Server applies the
 * same rule again (csrfPrevention) behind it.
 */
export function csrfGuard(): RequestHandler {
  return (req, res, next) => {
    const contentType = req.headers["content-type"]?.split(";")[0].trim().toLowerCase();
    const simpleType = contentType === undefined || contentType === "" || SIMPLE_CONTENT_TYPES.has(contentType);
    const preflighted = PREFLIGHT_HEADERS.some((name) => (req.headers[name] ?? "") !== "");
    if (!simpleType || preflighted) return next();
    res.status(400).json({
      errors: [
        {
          message:
            "This request has been blocked as a potential Cross-Site Request Forgery (CSRF): send JSON with content-type application/json, " +
            `or a non-empty value for one of the headers ${PREFLIGHT_HEADERS.join(", ")}.`,
          extensions: { code: "BAD_REQUEST" satisfies ErrorCode },
        },
      ],
    });
  };
}
