import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { ContactFieldService } from "./contact-field.service";
import { ContactGroupService } from "./contact-group.service";
import { ContactService } from "./contact.service";
import { FlowService } from "./flow.service";
import { FlowStartService } from "./flow-start.service";
import { IdentityService } from "./identity.service";
import { InboxService } from "./inbox.service";
import { InvitationService } from "./invitation.service";
import type { Mailer } from "./mailer";
import { MemberService } from "./member.service";
import { MessageService } from "./message.service";
import { NotepadService } from "./notepad.service";
import { ShortcutService } from "./shortcut.service";
import { SessionEvents } from "./session-events";
import { TeamService } from "./team.service";
import { TicketService } from "./ticket.service";
import { TokenService } from "./token.service";
import { TopicService } from "./topic.service";
import { TriggerService } from "./trigger.service";
import { WorkspaceService } from "./workspace.service";

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
  teams: TeamService;
  members: MemberService;
  sessions: SessionEvents;
  invitations: InvitationService;
}

/** `mailer` sends the emails (invitations): see createMailer. */
export function createServices(db: DataSource, config: Config, mailer: Mailer): Services {
  const sessions = new SessionEvents();
  const identity = new IdentityService(db, config, sessions);
  const tokens = new TokenService(db, config, identity, sessions);
  sessions.listen((workspaceId) => tokens.forgetActors(workspaceId));
  const contacts = new ContactService(db);
  return {
    identity,
    tokens,
    workspaces: new WorkspaceService(db),
    topics: new TopicService(db),
    contacts,
    flows: new FlowService(db),
    tickets: new TicketService(db, contacts),
    messages: new MessageService(db, contacts),
    inbox: new InboxService(db),
    fields: new ContactFieldService(db),
    notepad: new NotepadService(db),
    groups: new ContactGroupService(db),
    shortcuts: new ShortcutService(db),
    triggers: new TriggerService(db),
    flowStarts: new FlowStartService(db),
    teams: new TeamService(db, sessions),
    members: new MemberService(db, sessions),
    sessions,
    invitations: new InvitationService(db, config, mailer, identity),
  };
}
