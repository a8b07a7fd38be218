import type { NonEmptyArray } from "type-graphql";
import { ApiTokenResolver } from "./api-token.resolver";
import { ContactFieldResolver, ContactFieldsOfContactResolver, ContactNoteResolver } from "./contact-field.resolver";
import { ContactGroupResolver } from "./contact-group.resolver";
import { ContactResolver } from "./contact.resolver";
import { ExportResolver } from "./export.resolver";
import { WebhookResolver } from "./webhook.resolver";
import { FlowResolver } from "./flow.resolver";
import { FlowStartResolver } from "./flow-start.resolver";
import { IdentityResolver } from "./identity.resolver";
import { InboxResolver } from "./inbox.resolver";
import { InvitationResolver } from "./invitation.resolver";
import { MemberResolver } from "./member.resolver";
import { MessageResolver } from "./message.resolver";
import { NodeResolver } from "./node.resolver";
import { NotificationResolver, ViewerNotificationsResolver } from "./notification.resolver";
import { StatisticsResolver } from "./statistics.resolver";
import { ShortcutResolver } from "./shortcut.resolver";
import { TicketEventResolver } from "./ticket-event.resolver";
import { BulkTicketPayloadResolver, TicketFailureResolver, TicketResolver } from "./ticket.resolver";
import { SubscriptionResolver } from "./subscription.resolver";
import { TeamResolver } from "./team.resolver";
import { TopicResolver } from "./topic.resolver";
import { TriggerResolver } from "./trigger.resolver";
import { UserErrorResolver } from "./user-error.resolver";
import { ViewerResolver } from "./viewer.resolver";

export const RESOLVERS: NonEmptyArray<Function> = [
  IdentityResolver,
  ViewerResolver,
  ViewerNotificationsResolver,
  NotificationResolver,
  StatisticsResolver,
  ExportResolver,
  WebhookResolver,
  MemberResolver,
  ApiTokenResolver,
  NodeResolver,
  TopicResolver,
  ContactResolver,
  FlowResolver,
  TicketResolver,
  TicketFailureResolver,
  BulkTicketPayloadResolver,
  MessageResolver,
  TicketEventResolver,
  InboxResolver,
  ContactFieldResolver,
  ContactFieldsOfContactResolver,
  ContactNoteResolver,
  ContactGroupResolver,
  ShortcutResolver,
  TriggerResolver,
  FlowStartResolver,
  TeamResolver,
  SubscriptionResolver,
  InvitationResolver,
  UserErrorResolver,
];
