import { registerEnumType } from "type-graphql";
import * as entities from "../entities";
import {
  ContactFieldType,
  FieldAccess,
  MessageDirection,
  MessageStatus,
  Role,
  TicketEventType,
  TicketStatus,
  TriggerType,
  WebhookEventType,
} from "../entities";
import { StatisticsGrouping } from "../services/statistics/statistics.service";
import { UserErrorCode } from "../services/user-error";

/** The folders of the inbox. */
export enum TicketFolder {
  MINE = "MINE",
  UNASSIGNED = "UNASSIGNED",
  ALL = "ALL",
}

registerEnumType(UserErrorCode, {
  name: "UserErrorCode",
  description: "Stable codes of userErrors and per-ticket failures; clients switch on them.",
});
registerEnumType(StatisticsGrouping, {
  name: "StatisticsGrouping",
  description: "DAY, WEEK (ISO) or MONTH in the workspace's time zone (one at most), TOPIC, ASSIGNEE.",
});
registerEnumType(TicketFolder, {
  name: "TicketFolder",
  description: "MINE: assigned to you; UNASSIGNED: assigned to nobody; ALL: every ticket you may see.",
});

/** What the schema says of an entity's enum, where it says more than its values. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  Role: "A member's role in a workspace.",
  MessageStatus: "INCOMING messages are RECEIVED; OUTGOING ones are QUEUED, then as the channel reports.",
  ContactFieldType: "NUMBER: a decimal; DATETIME: RFC 3339 with an offset.",
  FieldAccess: "What agents may do with a field's values: NONE (the field does not exist for them), VIEW or EDIT.",
  TriggerType: "TICKET_CLOSED: a ticket was closed.",
  WebhookEventType: "What a webhook endpoint is sent: each ticket event type, and FLOW_STARTED (a flow start a close caused).",
};

function isStringEnum(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.every((v) => typeof v === "string");
}

// Every enum an entity file declares is a GraphQL enum of the same name: a new one needs no line
// here (the schema shows it once a field uses it).
for (const [name, value] of Object.entries(entities)) {
  if (isStringEnum(value)) registerEnumType(value, { name, description: DESCRIPTIONS[name] });
}

export {
  ContactFieldType,
  FieldAccess,
  MessageDirection,
  MessageStatus,
  Role,
  TicketEventType,
  TicketStatus,
  TriggerType,
  UserErrorCode,
  WebhookEventType,
};
