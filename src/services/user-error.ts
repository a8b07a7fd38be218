import type { EntityManager } from "typeorm";
import type { Work } from "../db/unit-of-work";

/** Stable codes of userErrors and per-ticket failures; clients switch on them. */
export enum UserErrorCode {
  NOT_FOUND = "NOT_FOUND",
  ALREADY_OPEN = "ALREADY_OPEN",
  ALREADY_CLOSED = "ALREADY_CLOSED",
  ALREADY_ASSIGNED = "ALREADY_ASSIGNED",
  SAME_TOPIC = "SAME_TOPIC",
  TICKET_CLOSED = "TICKET_CLOSED",
  TOPIC_NOT_ALLOWED = "TOPIC_NOT_ALLOWED",
  ASSIGNEE_CANNOT_SEE = "ASSIGNEE_CANNOT_SEE",
  NOT_A_MEMBER = "NOT_A_MEMBER",
  EMPTY_NOTE = "EMPTY_NOTE",
  NAME_TAKEN = "NAME_TAKEN",
  KEY_TAKEN = "KEY_TAKEN",
  RESERVED_KEY = "RESERVED_KEY",
  LIMIT_REACHED = "LIMIT_REACHED",
  TOPIC_IN_USE = "TOPIC_IN_USE",
  TOPIC_IN_TEAM = "TOPIC_IN_TEAM",
  SYSTEM_TOPIC = "SYSTEM_TOPIC",
  INVALID_VALUE = "INVALID_VALUE",
  FIELD_NOT_EDITABLE = "FIELD_NOT_EDITABLE",
  URN_TAKEN = "URN_TAKEN",
  INVALID_URN = "INVALID_URN",
  LAST_ADMINISTRATOR = "LAST_ADMINISTRATOR",
  ALREADY_MEMBER = "ALREADY_MEMBER",
  ALREADY_INVITED = "ALREADY_INVITED",
  INVITATION_INVALID = "INVITATION_INVALID",
  EMAIL_MISMATCH = "EMAIL_MISMATCH",
  TEAM_IN_USE = "TEAM_IN_USE",
  TEAM_NOT_FOR_ROLE = "TEAM_NOT_FOR_ROLE",
  INVALID_CREDENTIALS = "INVALID_CREDENTIALS",
  EMAIL_TAKEN = "EMAIL_TAKEN",
  SIGNUP_DISABLED = "SIGNUP_DISABLED",
  IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED",
  ALREADY_EXISTS = "ALREADY_EXISTS",
  CANNOT_ASSIGN = "CANNOT_ASSIGN",
  CANNOT_REPLY = "CANNOT_REPLY",
  /** The member already has as many exports pending or running as they may (EXPORT_MAX_ACTIVE_PER_MEMBER). */
  TOO_MANY_EXPORTS = "TOO_MANY_EXPORTS",
}

/** An expected failure, returned as data in a payload's userErrors. */
export interface UserError {
  field?: string[];
  message: string;
  code: UserErrorCode;
}

/**
 * How a service answers a call it may refuse: the value, or the userErrors saying why nothing was
 * done. This is the one way a service refuses. `detail` is what a refusal points at, where the
 * payload shows it (openTicket's ALREADY_OPEN carries the contact's open ticket).
 * Not refusals: a shape error, which the input alone decides (BadInputError, thrown by the
 * schema layer, or by a service where only stored data tells which shape applies); and a bulk
 * call's per-ticket failures, which are part of its value beside the tickets it changed.
 */
export type Result<T, D = never> = { ok: true; value: T } | Refused<D>;
export type Refused<D = never> = { ok: false; errors: UserError[]; detail?: D };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A refusal with one userError, and what it points at (`detail`) where the payload shows it. */
export function fail<T = never, D = never>(code: UserErrorCode, message: string, field?: string[], detail?: D): Result<T, D> {
  return detail === undefined
    ? { ok: false, errors: [{ code, message, field }] }
    : { ok: false, errors: [{ code, message, field }], detail };
}

/** The answer of a call ended early from inside `refusable`, whose writes are undone. */
class EarlyAnswer extends Error {
  constructor(readonly result: Result<unknown, unknown>) {
    super("answered early: the writes made so far are undone");
  }
}

/** Refuses the call from anywhere inside `refusable`: its writes so far are undone. */
export function refuse(code: UserErrorCode, message: string, field?: string[]): never {
  throw new EarlyAnswer(fail(code, message, field));
}

/**
 * Ends the call from anywhere inside `refusable` with this answer (a refusal, or an earlier
 * call's answer to an idempotent retry); its writes so far are undone.
 */
export function answerEarly<T, D>(result: Result<T, D>): never {
  throw new EarlyAnswer(result);
}

/**
 * Runs `fn` so that a refusal undoes its writes, and only its writes (a savepoint in the request's
 * transaction): a refusal it returns, or one thrown from anywhere inside it (`refuse`,
 * `answerEarly`). A refused call leaves stored data as it was, however far it had gone.
 */
export async function refusable<T, D = never>(
  work: Pick<Work, "savepoint">,
  fn: (em: EntityManager) => Promise<Result<T, D>>,
): Promise<Result<T, D>> {
  try {
    const { done } = await work.savepoint(async (em) => {
      const result = await fn(em);
      if (!result.ok) throw new EarlyAnswer(result);
      return { done: result };
    });
    return done;
  } catch (error) {
    if (error instanceof EarlyAnswer) return error.result as Result<T, D>;
    throw error;
  }
}
