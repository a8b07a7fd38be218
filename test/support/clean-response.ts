/**
 * What every answer of the server must look like, whatever it was sent: JSON, a GraphQL
 * response (or a JSON error for a refused request), no 5xx, an error code from the public
 * model, and nothing of the server's insides: no stack trace, no SQL, no secret it was not sent.
 */

/** Top-level codes a client may meet: the error model of DESIGN.md and the request limits. */
export const CLEAN_CODES = new Set([
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "RATE_LIMITED",
  "QUERY_TOO_DEEP",
  "QUERY_TOO_COSTLY",
  "TOO_MANY_ALIASES",
  "PAYLOAD_TOO_LARGE",
  "METHOD_NOT_ALLOWED",
  "UNSUPPORTED_MEDIA_TYPE",
  "NOT_ACCEPTABLE",
  "INTROSPECTION_DISABLED",
]);

/** A stack frame, as V8 prints it, or a source file position. */
const STACK = [/\n\s+at \S/, / {4}at [\w$.<>[\] ]+ \(/, /\((?:\/|file:)[^()\s]+\.[cm]?[jt]s:\d+:\d+\)/, /node:internal\//];

/** What PostgreSQL, the driver or the ORM would say, or a statement. */
const SQL = [
  /\bSELECT\b[\s\S]{0,300}\bFROM\b/i,
  /\bINSERT\s+INTO\b/i,
  /\bUPDATE\s+\w+\s+SET\b/i,
  /\bDELETE\s+FROM\b/i,
  /\brelation "[^"]*"/i,
  /syntax error at (?:or near|end of input)/i,
  /violates (?:unique|foreign key|check|not-null) constraint/i,
  /duplicate key value/i,
  /invalid input syntax for/i,
  /QueryFailedError|TypeORMError|EntityNotFound|DatabaseError/,
  /\bpg_[a-z_]+\(/i,
  /ECONNREFUSED|ECONNRESET|terminating connection/i,
];

export interface ResponseCheck {
  /** Secrets that must never come back unless the request itself carried them. */
  secrets: string[];
  /** Codes accepted besides CLEAN_CODES (INTERNAL_SERVER_ERROR where a test makes it expected). */
  alsoAllowed?: string[];
  /** Statuses accepted at or above 500 (a fault test's 503). */
  allowedServerStatuses?: number[];
}

export interface CheckedResponse {
  problems: string[];
  /** Top-level error codes seen. */
  codes: string[];
  body: unknown;
}

/** Every string inside a JSON value. */
function leaves(value: unknown, out: string[] = []): string[] {
  // An explicit stack: a hostile body may nest thousands deep.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        out.push(k);
        stack.push(item);
      }
    }
  }
  return out;
}

/**
 * Checks one answer. `sent` is the raw request body (and query string): what it carried may
 * legitimately come back (a value echoed in a validation message, a name just stored), so
 * strings of the request are cut out of the answer before looking for SQL and stack traces,
 * and a secret the request itself carried is not a leak.
 */
export function checkResponse(
  status: number,
  contentType: string | null,
  text: string,
  sent: string,
  opts: ResponseCheck,
): CheckedResponse {
  const problems: string[] = [];
  const codes: string[] = [];
  if (status >= 500 && !(opts.allowedServerStatuses ?? []).includes(status)) problems.push(`status ${status}`);
  let body: unknown;
  if (!/^application\/(?:graphql-response\+)?json\b/i.test(contentType ?? "")) problems.push(`content type ${contentType}`);
  try {
    body = JSON.parse(text);
  } catch {
    problems.push(`not JSON: ${text.slice(0, 200)}`);
    return { problems, codes, body };
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    problems.push(`not a GraphQL response object: ${text.slice(0, 200)}`);
    return { problems, codes, body };
  }
  const response = body as { data?: unknown; errors?: unknown };
  if (!("data" in response) && !("errors" in response)) problems.push(`neither data nor errors: ${text.slice(0, 200)}`);
  if ("errors" in response) {
    if (!Array.isArray(response.errors) || response.errors.length === 0) problems.push(`errors is not a non-empty list`);
    else {
      for (const e of response.errors as Array<{ message?: unknown; extensions?: Record<string, unknown> }>) {
        if (typeof e?.message !== "string") problems.push(`error without a message: ${JSON.stringify(e).slice(0, 200)}`);
        const code = e?.extensions?.code;
        if (typeof code !== "string") problems.push(`error without a code: ${JSON.stringify(e).slice(0, 300)}`);
        else {
          codes.push(code);
          if (!CLEAN_CODES.has(code) && !(opts.alsoAllowed ?? []).includes(code)) {
            problems.push(`code ${code}: ${String(e.message).slice(0, 300)}`);
          }
        }
        // Where the input went wrong, in both forms, which agree.
        const field = e?.extensions?.field;
        if (field !== undefined) {
          const path = e?.extensions?.fieldPath;
          if (typeof field !== "string" || JSON.stringify(path) !== JSON.stringify(field.split("."))) {
            problems.push(`extensions.field ${JSON.stringify(field)} without the same extensions.fieldPath: ${JSON.stringify(path)}`);
          }
        }
        for (const key of ["stacktrace", "exception", "originalError", "sql", "query", "parameters", "driverError"]) {
          if (e?.extensions && key in e.extensions) problems.push(`extensions.${key} exposed`);
        }
      }
    }
  } else if (status >= 400) problems.push(`status ${status} without errors`);

  for (const secret of opts.secrets) {
    if (secret && text.includes(secret) && !sent.includes(secret)) problems.push(`secret leaked: ${secret.slice(0, 6)}…`);
  }

  // Look for insides in what the server wrote, not in what it was sent: in its errors and
  // extensions (data is the clients' own content: a contact may well be named "SELECT 1 FROM x"),
  // and only a string that looks like a stack or SQL is looked at again without the request's
  // own strings, which validation messages quote.
  const written = [response.errors, (response as { extensions?: unknown }).extensions];
  const suspects = leaves(written).filter((leaf) => leaf.length >= 6 && [...STACK, ...SQL].some((p) => p.test(leaf)));
  if (suspects.length === 0) return { problems, codes, body };
  const echoes = new Set<string>();
  const echo = (s: string) => {
    if (s.length < 3) return;
    echoes.add(s);
    echoes.add(JSON.stringify(s).slice(1, -1));
    // String literals written in a query document, which validation messages quote.
    for (const m of s.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)) {
      try {
        const literal = JSON.parse(`"${m[1]}"`) as string;
        if (literal.length >= 3) echoes.add(literal).add(m[1]);
      } catch {
        echoes.add(m[1]);
      }
    }
  };
  try {
    for (const s of leaves(JSON.parse(sent))) echo(s);
  } catch {
    // A raw body: nothing of it is echoed (a malformed body gets a fixed message).
  }
  for (const part of sent.split("&")) {
    try {
      const value = decodeURIComponent(part.slice(part.indexOf("=") + 1));
      echo(value);
      for (const s of leaves(JSON.parse(value))) echo(s);
    } catch {
      // not a query parameter carrying JSON
    }
  }
  const sorted = [...echoes].sort((a, b) => b.length - a.length);
  for (let leaf of suspects) {
    for (const echo of sorted) if (leaf.includes(echo)) leaf = leaf.split(echo).join("");
    for (const pattern of STACK) if (pattern.test(leaf)) problems.push(`stack trace: ${leaf.slice(0, 300)}`);
    for (const pattern of SQL) if (pattern.test(leaf)) problems.push(`SQL: ${leaf.slice(0, 300)}`);
  }
  return { problems, codes, body };
}
