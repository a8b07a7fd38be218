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
}

/** An expected failure, returned as data in a payload's userErrors. */
export interface UserError {
  field?: string[];
  message: string;
  code: UserErrorCode;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: UserErrorCode, message: string, field?: string[]): Result<T> {
  return { ok: false, errors: [{ code, message, field }] };
}
