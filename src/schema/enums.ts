import { registerEnumType } from "type-graphql";
import { ContactFieldType, FieldAccess, MessageDirection, MessageStatus, TicketEventType, TicketStatus, TriggerType } from "../entities";
import { Role } from "../entities/role";
import { UserErrorCode } from "../services/user-error";

/** The folders of the inbox. */
export enum TicketFolder {
  MINE = "MINE",
  UNASSIGNED = "UNASSIGNED",
  ALL = "ALL",
}

registerEnumType(Role, { name: "Role", description: "A member's role in a workspace." });
registerEnumType(UserErrorCode, {
  name: "UserErrorCode",
  description: "Stable codes of userErrors and per-ticket failures; clients switch on them.",
});
registerEnumType(TicketStatus, { name: "TicketStatus" });
registerEnumType(TicketFolder, {
  name: "TicketFolder",
  description: "MINE: assigned to you; UNASSIGNED: assigned to nobody; ALL: every ticket you may see.",
});
registerEnumType(TicketEventType, { name: "TicketEventType" });
registerEnumType(MessageDirection, { name: "MessageDirection" });
registerEnumType(MessageStatus, {
  name: "MessageStatus",
  description: "INCOMING messages are RECEIVED; OUTGOING ones are QUEUED, then as the channel reports.",
});

registerEnumType(ContactFieldType, { name: "ContactFieldType", description: "NUMBER: a decimal; DATETIME: RFC 3339 with an offset." });
registerEnumType(FieldAccess, {
  name: "FieldAccess",
  description: "What agents may do with a field's values: NONE (the field does not exist for them), VIEW or EDIT.",
});

registerEnumType(TriggerType, { name: "TriggerType", description: "TICKET_CLOSED: a ticket was closed." });

export { ContactFieldType, FieldAccess, MessageDirection, MessageStatus, Role, TicketEventType, TicketStatus, TriggerType, UserErrorCode };
