import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import type { Logger } from "pino";
import type { ValidationError } from "class-validator";
import { currentSqlScope } from "../db/sql-scope";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable";
import { codeRaisedBy, DependencyFailedError, ERROR_CODES, type ErrorCode, fieldForms } from "../errors";

const TOO_MANY_VARIABLE_ERRORS = /^Too many errors processing variables, error limit reached\./;

/** The dotted path of the first failed constraint, e.g. "email" or "values.2.value". */
function firstViolation(errors: ValidationError[], prefix = ""): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const message = error.constraints ? Object.values(error.constraints)[0] : undefined;
    // A message may name the element of a list it is about: "ticketIds.3 must be ...".
    const element = message?.startsWith(`${error.property}.`) ? /^[^.\s]+\.(\d+)\b/.exec(message) : null;
    if (message) return { field: element ? `${field}.${element[1]}` : field, message };
    const nested = firstViolation(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The field named by graphql-js's messages about variables and input objects, relative to the
 * argument: `Variable "$input" got invalid value … at "input.name"` is "name". A list variable
 * keeps its name: `at "groupBy[1]"` is "groupBy.1", not a bare index.
 */
function fieldOfMessage(message: string): string | undefined {
  const at = /got invalid value .*? at "([^"]+)"/.exec(message);
  // graphql-js writes list indexes in brackets ("input.values[1].key"); a path here is dotted.
  const segments = at ? at[1].replace(/\[(\d+)\]/g, ".$1").split(".") : [];
  const path = segments.length > 1 && !/^\d+$/.test(segments[1]) ? segments.slice(1) : segments;
  const inner = /Field "([^"]+)" (?:of required type|is not defined)/.exec(message);
  if (inner) path.push(inner[1]);
  if (path.length > 0) return path.join(".");
  const variable = /^Variable "\$([^"]+)"/.exec(message);
  return variable?.[1];
}

/** Whether Apollo gave the error an HTTP status of the client's fault (4xx). */
function isClientStatus(error: GraphQLError): boolean {
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

/** The details an answer with this code keeps, the field forms aside (written from `field`). */
function detailsOf(code: ErrorCode): readonly string[] {
  const details: readonly string[] = ERROR_CODES[code].details;
  return details.filter((key) => key !== "field" && key !== "fieldPath");
}

/**
 * Maps every error to the model of DESIGN.md: shape errors are BAD_USER_INPUT naming the field,
 * domain errors keep their code, and anything unexpected is masked as INTERNAL_SERVER_ERROR with
 * the request id, its detail going to the log only.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

    if (original instanceof GraphQLError && Array.isArray(original.extensions?.validationErrors)) {
      const violation = firstViolation(original.extensions.validationErrors as ValidationError[]);
      return {
        ...base,
        message: violation ? `Invalid input: ${violation.message}.` : "Invalid input.",
        extensions: { code: "BAD_USER_INPUT", ...(violation ? fieldForms(violation.field) : {}) },
      };
    }
    // Apollo wraps errors of validation rules, keeping ours as originalError.
    const own = original instanceof GraphQLError && original.originalError instanceof GraphQLError ? original.originalError : original;
    // A code the server raised, as ERROR_CODES lists it: kept, with the details the list gives it.
    const ownCode = own instanceof GraphQLError ? codeRaisedBy(own.extensions.code, "server") : undefined;
    if (own instanceof GraphQLError && ownCode) {
      const named = own.extensions.field ?? (ownCode === "BAD_USER_INPUT" ? fieldOfMessage(formatted.message) : undefined);
      const details = detailsOf(ownCode)
        .map((key) => [key, own.extensions[key]])
        .filter(([, value]) => value !== undefined);
      return {
        ...base,
        message: own.message,
        extensions: { code: ownCode, ...(typeof named === "string" ? fieldForms(named) : {}), ...Object.fromEntries(details) },
      };
    }
    // Errors about the request itself, raised before any resolver ran (no path).
    // A variable of the wrong type is BAD_USER_INPUT from graphql-js, before anything ran.
    if (formatted.path === undefined && (code === "BAD_USER_INPUT" || codeRaisedBy(code, "request"))) {
      if (code === "BAD_USER_INPUT") {
        const named = fieldOfMessage(formatted.message);
        return { ...base, extensions: { code, ...(named === undefined ? {} : fieldForms(named)) } };
      }
      return { ...base, extensions: { code } };
    }
    // graphql-js gives up on a request's variables after 50 invalid values with an error of its
    // own, which Apollo leaves without a code: it is about the input all the same.
    if (formatted.path === undefined && original instanceof GraphQLError && TOO_MANY_VARIABLE_ERRORS.test(original.message)) {
      return { ...base, extensions: { code: "BAD_USER_INPUT" } };
    }
    // Apollo refuses some requests before anything runs (a persisted query of another version, or
    // whose hash does not match its text) with an error that has no code, only a 4xx status.
    if (
      formatted.path === undefined &&
      original instanceof GraphQLError &&
      original.extensions.code === undefined &&
      isClientStatus(original)
    ) {
      return { ...base, extensions: { code: "BAD_REQUEST" } };
    }
    const requestId = currentSqlScope()?.requestId;
    // The database is down or restarting: not a bug, and worth retrying.
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: original, requestId, path: formatted.path }, "database unavailable");
      return {
        message: `${DATABASE_UNAVAILABLE.message} Quote request id ${requestId ?? "unknown"} if it lasts.`,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: DATABASE_UNAVAILABLE.code, requestId },
      };
    }
    log.error(
      { err: own instanceof DependencyFailedError ? own.originalError : original, requestId, path: formatted.path },
      "internal error",
    );
    const what = own instanceof DependencyFailedError ? own.message : "Internal server error.";
    return {
      message: `${what} Quote request id ${requestId ?? "unknown"} when reporting it.`,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
    };
  };
}
