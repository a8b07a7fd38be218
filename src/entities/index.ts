import { ApiToken } from "./api-token.entity";
import { Contact, ContactUrn } from "./contact.entity";
import { ContactField, ContactFieldValueRow, ContactGroup, ContactNote } from "./contact-field.entity";
import { Flow } from "./flow.entity";
import { Membership } from "./membership.entity";
import { Message } from "./message.entity";
import { Notification } from "./notification.entity";
import { TicketExport, TicketExportDownload } from "./ticket-export.entity";
import { TicketCountDelta } from "./ticket-count.entity";
import { TicketStatistic, TicketStatisticDelta } from "./ticket-statistic.entity";
import { TicketEvent } from "./ticket-event.entity";
import { Ticket } from "./ticket.entity";
import { FlowStart } from "./flow-start.entity";
import { Invitation } from "./invitation.entity";
import { Shortcut } from "./shortcut.entity";
import { Team, TeamTopic } from "./team.entity";
import { Trigger } from "./trigger.entity";
import { Topic } from "./topic.entity";
import { User } from "./user.entity";
import { Webhook, WebhookDelivery } from "./webhook.entity";
import { Workspace } from "./workspace.entity";

// Everything each entity file declares (the entity, its enums), so that a new enum or column is
// exported without a change here.
export * from "./api-token.entity";
export * from "./contact.entity";
export * from "./contact-field.entity";
export * from "./flow.entity";
export * from "./membership.entity";
export * from "./message.entity";
export * from "./notification.entity";
export * from "./role";
export * from "./ticket-count.entity";
export * from "./ticket-statistic.entity";
export * from "./ticket-event.entity";
export * from "./ticket-export.entity";
export * from "./ticket.entity";
export * from "./flow-start.entity";
export * from "./invitation.entity";
export * from "./shortcut.entity";
export * from "./team.entity";
export * from "./trigger.entity";
export * from "./topic.entity";
export * from "./user.entity";
export * from "./webhook.entity";
export * from "./workspace.entity";

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
  Notification,
  TicketStatisticDelta,
  TicketStatistic,
  TicketExport,
  TicketExportDownload,
  Webhook,
  WebhookDelivery,
];
