import { ApiToken } from "./api-token.entity";
import { Contact, ContactUrn } from "./contact.entity";
import { ContactField, ContactFieldValueRow, ContactGroup, ContactNote } from "./contact-field.entity";
import { Flow } from "./flow.entity";
import { Membership } from "./membership.entity";
import { Message } from "./message.entity";
import { TicketCountDelta } from "./ticket-count.entity";
import { TicketEvent } from "./ticket-event.entity";
import { Ticket } from "./ticket.entity";
import { FlowStart } from "./flow-start.entity";
import { Invitation } from "./invitation.entity";
import { Shortcut } from "./shortcut.entity";
import { Team, TeamTopic } from "./team.entity";
import { Trigger } from "./trigger.entity";
import { Topic } from "./topic.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export { ApiToken, TokenKind } from "./api-token.entity";
export { Contact, ContactUrn } from "./contact.entity";
export { ContactField, ContactFieldType, ContactFieldValueRow, ContactGroup, ContactNote, FieldAccess } from "./contact-field.entity";
export { Flow } from "./flow.entity";
export { Membership } from "./membership.entity";
export { Message, MessageDirection, MessageStatus } from "./message.entity";
export { Role, ALL_ROLES } from "./role";
export { TicketCountDelta } from "./ticket-count.entity";
export { TicketEvent, TicketEventType } from "./ticket-event.entity";
export { Ticket, TicketStatus } from "./ticket.entity";
export { FlowStart } from "./flow-start.entity";
export { Invitation } from "./invitation.entity";
export { Shortcut } from "./shortcut.entity";
export { Team, TeamTopic } from "./team.entity";
export { Trigger, TriggerType } from "./trigger.entity";
export { Topic } from "./topic.entity";
export { User } from "./user.entity";
export { Workspace } from "./workspace.entity";

export const ENTITIES = [
  Workspace,
  User,
  Membership,
  ApiToken,
  Topic,
  Contact,
  ContactUrn,
  Flow,
  Message,
  Ticket,
  TicketEvent,
  TicketCountDelta,
  ContactField,
  ContactFieldValueRow,
  ContactNote,
  ContactGroup,
  Team,
  TeamTopic,
  Invitation,
  Shortcut,
  Trigger,
  FlowStart,
];
