import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { ContactFieldService } from "./contacts/contact-field.service";
import { ExportRunner } from "./exports/export-runner";
import { ExportService } from "./exports/export.service";
import { ContactGroupService } from "./contacts/contact-group.service";
import { ContactService } from "./contacts/contact.service";
import { FlowService } from "./integrations/flow.service";
import { FlowStartService } from "./integrations/flow-start.service";
import { NotificationService } from "./notifications/notification.service";
import { StatisticsService } from "./statistics/statistics.service";
import { IdentityService } from "./identity/identity.service";
import { InboxService } from "./tickets/inbox.service";
import { InvitationService } from "./team/invitation.service";
import type { Mailer } from "./team/mailer";
import { MemberService } from "./team/member.service";
import { MessageService } from "./tickets/message.service";
import { NotepadService } from "./contacts/notepad.service";
import { ShortcutService } from "./team/shortcut.service";
import { SessionEvents } from "./identity/session-events";
import { TeamService } from "./team/team.service";
import { TicketService } from "./tickets/ticket.service";
import { TokenService } from "./identity/token.service";
import { TopicService } from "./tickets/topic.service";
import { TriggerService } from "./integrations/trigger.service";
import { WorkspaceService } from "./identity/workspace.service";
import { type DispatcherEvents, type Renderer, WebhookDispatcher } from "./webhooks/dispatcher";
import { Sender } from "./webhooks/sender";
import { WebhookService } from "./webhooks/webhook.service";

/** The services of one server process, shared by all its requests. */
export interface Services {
  identity: IdentityService;
  tokens: TokenService;
  workspaces: WorkspaceService;
  topics: TopicService;
  contacts: ContactService;
  flows: FlowService;
  tickets: TicketService;
  messages: MessageService;
  inbox: InboxService;
  fields: ContactFieldService;
  notepad: NotepadService;
  groups: ContactGroupService;
  shortcuts: ShortcutService;
  triggers: TriggerService;
  flowStarts: FlowStartService;
  notifications: NotificationService;
  statistics: StatisticsService;
  exports: ExportService;
  webhooks: WebhookService;
  /** Delivers webhooks in the background of this process (started and closed by the server). */
  webhookDispatcher: WebhookDispatcher;
  teams: TeamService;
  members: MemberService;
  sessions: SessionEvents;
  invitations: InvitationService;
}

/** What the background work (exports, webhook deliveries) is given by the composition root. */
export interface BackgroundWith {
  log: Logger;
  /** The API's id of a row (from the schema layer): export files and webhooks name rows as the API does. */
  globalId: (type: string, uuid: string) => string;
  /** A webhook delivery's data, as the API gives it (the schema layer renders it). */
  webhookData?: Renderer;
  /** What webhook deliveries count in the metrics. */
  webhookEvents?: DispatcherEvents;
}

/**
 * `mailer` sends the emails (invitations): see createMailer. Exports and webhook deliveries log
 * their failures to `background.log`. Services reach the database through each request's unit of
 * work (`ctx.work`), never through `db`, which only authentication and the background work use.
 */
export function createServices(db: DataSource, config: Config, mailer: Mailer, background: BackgroundWith): Services {
  const exportsWith = background;
  const sessions = new SessionEvents();
  const identity = new IdentityService(config, sessions);
  // Authentication runs before a request has its unit of work: the one service given the pool.
  const tokens = new TokenService(db, config, identity, sessions);
  sessions.listen((workspaceId) => tokens.forgetActors(workspaceId));
  const contacts = new ContactService();
  const inbox = new InboxService();
  // Exports run in the background, outside any request: the other service given the pool.
  const exportRunner = new ExportRunner(db, inbox, exportsWith.log, {
    exportDir: config.exportDir,
    retentionHours: config.exportRetentionHours,
    pageSize: config.exportPageSize,
    globalId: exportsWith.globalId,
  });
  // Webhook deliveries run in the background too, each a few short statements on the pool.
  const webhookDispatcher = new WebhookDispatcher(
    db,
    background.log,
    new Sender({ timeoutMs: config.webhookTimeoutMs, allowPrivate: config.webhookAllowPrivate }),
    background.webhookData ?? (async () => new Map()),
    {
      pollMs: config.webhookPollMs,
      leaseMs: config.webhookLeaseMs,
      timeoutMs: config.webhookTimeoutMs,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
      giveUpMs: config.webhookGiveUpMs,
      retentionMs: config.webhookDeliveryRetentionHours * 3_600_000,
    },
    background.webhookEvents,
  );
  return {
    identity,
    tokens,
    workspaces: new WorkspaceService(),
    topics: new TopicService(),
    contacts,
    flows: new FlowService(),
    tickets: new TicketService(contacts),
    messages: new MessageService(contacts),
    inbox,
    fields: new ContactFieldService(),
    notepad: new NotepadService(),
    groups: new ContactGroupService(),
    shortcuts: new ShortcutService(),
    triggers: new TriggerService(),
    flowStarts: new FlowStartService(),
    notifications: new NotificationService(),
    statistics: new StatisticsService(),
    exports: new ExportService(exportRunner, config.exportMaxActivePerMember, config.publicUrl),
    webhooks: new WebhookService(webhookDispatcher, {
      allowPrivate: config.webhookAllowPrivate,
      globalId: background.globalId,
      rotationOverlapMs: config.webhookRotationOverlapMs,
    }),
    webhookDispatcher,
    teams: new TeamService(sessions),
    members: new MemberService(sessions),
    sessions,
    invitations: new InvitationService(config, mailer, identity),
  };
}
