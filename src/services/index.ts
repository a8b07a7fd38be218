import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { ContactFieldService } from "./contact-field.service";
import { ContactGroupService } from "./contact-group.service";
import { ContactService } from "./contact.service";
import { FlowService } from "./flow.service";
import { IdentityService } from "./identity.service";
import { InboxService } from "./inbox.service";
import { MessageService } from "./message.service";
import { NotepadService } from "./notepad.service";
import { TicketService } from "./ticket.service";
import { TokenService } from "./token.service";
import { TopicService } from "./topic.service";
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
}

export function createServices(db: DataSource, config: Config): Services {
  const identity = new IdentityService(db, config);
  const contacts = new ContactService(db);
  return {
    identity,
    tokens: new TokenService(db, config, identity),
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
  };
}
