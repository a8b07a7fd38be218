export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: unknown; output: unknown; }
};

/** A new user gives name and password; an existing user gives their password, or none when logged in as the invited email. */
export type AcceptInvitationInput = {
  /** New users only: 1 to 100 characters. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** New users: at least 8 characters. Existing users: their password. */
  password?: InputMaybe<Scalars['String']['input']>;
  /** The token of the invitation link. */
  token: Scalars['String']['input'];
};

export type AddTicketNoteInput = {
  /** An internal note, never sent to the contact; at most 10,000 characters. */
  note: Scalars['String']['input'];
  /** 1 to 100 ticket ids. */
  ticketIds: Array<Scalars['ID']['input']>;
};

export type ApiToken = Node & {
  __typename?: 'ApiToken';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** The role the token acts with: its member's current role. */
  role: Role;
};

export type AssignTicketsInput = {
  /** A member's User id; an explicit null unassigns. */
  assigneeId?: InputMaybe<Scalars['ID']['input']>;
  /** 1 to 100 ticket ids. */
  ticketIds: Array<Scalars['ID']['input']>;
};

/** A file the channel holds, or a location: Handover keeps the reference, not the file. */
export type Attachment = {
  __typename?: 'Attachment';
  /** type/subtype, such as image/jpeg; geo for a location. */
  contentType: Scalars['String']['output'];
  /** The channel's URL of the file; for geo, lat,lng. */
  url: Scalars['String']['output'];
};

/** A file the channel holds (its MIME type and URL), or a location (geo and lat,lng). */
export type AttachmentInput = {
  /** type/subtype, such as image/jpeg or audio/ogg; or geo. */
  contentType: Scalars['String']['input'];
  /** The channel's http(s) URL of the file, at most 2048 characters; for geo, lat,lng. */
  url: Scalars['String']['input'];
};

export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** Send as Authorization: Bearer <token>. */
  token?: Maybe<Scalars['String']['output']>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
  viewer?: Maybe<Viewer>;
};

export type BulkTicketPayload = {
  __typename?: 'BulkTicketPayload';
  /** The folder and topic counts after the change, as you see them: a client updates its cached counts without asking again. */
  counts: TicketCounts;
  /** At most 100 items. */
  failures: Array<TicketFailure>;
  /**
   * The tickets changed, in input order.
   *
   * At most 100 items.
   */
  tickets: Array<Ticket>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type ChangeTicketTopicInput = {
  /** 1 to 100 ticket ids. */
  ticketIds: Array<Scalars['ID']['input']>;
  topicId: Scalars['ID']['input'];
};

export type CloseTicketsInput = {
  /** 1 to 100 ticket ids. */
  ticketIds: Array<Scalars['ID']['input']>;
};

export type Contact = Node & {
  __typename?: 'Contact';
  createdAt: Scalars['DateTime']['output'];
  /** One field's value by key; null when there is no such field for you. */
  field?: Maybe<ContactFieldValue>;
  /**
   * Values of the contact fields you may see, unset ones with a null value: featured first (higher priority first), then the rest by name.
   *
   * At most 250 items.
   */
  fields: Array<ContactFieldValue>;
  id: Scalars['ID']['output'];
  language?: Maybe<Scalars['String']['output']>;
  /** Messages with the contact, oldest first; last/before for the newest page. */
  messages: MessageConnection;
  name?: Maybe<Scalars['String']['output']>;
  /** The notepad's latest version; null if never written. */
  notepad?: Maybe<ContactNote>;
  /**
   * The notepad's versions, newest first.
   *
   * At most 5 items.
   */
  notepadHistory: Array<ContactNote>;
  /** The contact's open ticket, if you may see its topic. */
  openTicket?: Maybe<Ticket>;
  /** The contact's tickets of the topics you may see, newest first. */
  tickets: TicketConnection;
  /** e.g. "tel:+250788123123", "whatsapp:250788123123" */
  urns: Array<Scalars['String']['output']>;
};


export type ContactFieldArgs = {
  key: Scalars['String']['input'];
};


export type ContactFieldsArgs = {
  featuredOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type ContactMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type ContactTicketsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ContactConnection = {
  __typename?: 'ContactConnection';
  edges: Array<ContactEdge>;
  nodes: Array<Contact>;
  pageInfo: PageInfo;
  totalCount?: Maybe<Scalars['Int']['output']>;
};

export type ContactEdge = {
  __typename?: 'ContactEdge';
  cursor: Scalars['String']['output'];
  node: Contact;
};

export type ContactField = Node & {
  __typename?: 'ContactField';
  agentAccess: FieldAccess;
  featured: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  /** Fixed at creation: the lower snake case of the first name. */
  key: Scalars['String']['output'];
  name: Scalars['String']['output'];
  /** Featured fields are listed by priority, highest first. */
  priority: Scalars['Int']['output'];
  type: ContactFieldType;
};

export type ContactFieldPayload = {
  __typename?: 'ContactFieldPayload';
  contactField?: Maybe<ContactField>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** NUMBER: a decimal; DATETIME: RFC 3339 with an offset. */
export type ContactFieldType =
  | 'DATETIME'
  | 'NUMBER'
  | 'TEXT';

export type ContactFieldValue = {
  __typename?: 'ContactFieldValue';
  /** Whether you may change it with setContactFields. */
  editable: Scalars['Boolean']['output'];
  field: ContactField;
  /** Null when unset. */
  value?: Maybe<Scalars['String']['output']>;
};

export type ContactGroup = Node & {
  __typename?: 'ContactGroup';
  /** The contacts with an open ticket, by their ticket's latest activity. */
  contacts: ContactConnection;
  /** Exact: the contacts with an open ticket of a topic you may see. */
  count: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  isSystem: Scalars['Boolean']['output'];
  /** The system group "Open Tickets" holds exactly the contacts with an open ticket. */
  name: Scalars['String']['output'];
};


export type ContactGroupContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A version of a contact's notepad. */
export type ContactNote = {
  __typename?: 'ContactNote';
  author: User;
  createdAt: Scalars['DateTime']['output'];
  text: Scalars['String']['output'];
};

export type ContactPayload = {
  __typename?: 'ContactPayload';
  contact?: Maybe<Contact>;
  /** At most 250 items. */
  userErrors: Array<UserError>;
};

export type CreateApiTokenInput = {
  name: Scalars['String']['input'];
};

export type CreateApiTokenPayload = {
  __typename?: 'CreateApiTokenPayload';
  apiToken?: Maybe<ApiToken>;
  /** Shown once: only its hash is stored. */
  token?: Maybe<Scalars['String']['output']>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type CreateContactFieldInput = {
  /** Default VIEW. */
  agentAccess?: InputMaybe<FieldAccess>;
  /** Default false. */
  featured?: InputMaybe<Scalars['Boolean']['input']>;
  /** 1 to 36 letters, digits, spaces or hyphens; the key is its lower snake case. */
  name: Scalars['String']['input'];
  /** Default 0. */
  priority?: InputMaybe<Scalars['Int']['input']>;
  type: ContactFieldType;
};

export type CreateContactInput = {
  /** ISO 639 code, e.g. eng or fr. */
  language?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  urns: Array<Scalars['String']['input']>;
};

export type CreateShortcutInput = {
  /** 1 to 64 characters once trimmed, one line, unique in the workspace ignoring case. */
  name: Scalars['String']['input'];
  /** 1 to 10,000 characters once trimmed. */
  text: Scalars['String']['input'];
};

/** Exactly one of allTopics: true and 1 to 10 topicIds. */
export type CreateTeamInput = {
  allTopics?: InputMaybe<Scalars['Boolean']['input']>;
  name: Scalars['String']['input'];
  topicIds?: InputMaybe<Array<Scalars['ID']['input']>>;
};

export type CreateTopicInput = {
  name: Scalars['String']['input'];
};

/** Exactly one of flowId and flowExternalId: a registered flow. */
export type CreateTriggerInput = {
  /** The flow engine's id of the flow, instead of flowId. */
  flowExternalId?: InputMaybe<Scalars['String']['input']>;
  flowId?: InputMaybe<Scalars['ID']['input']>;
  type: TriggerType;
};

/** url: http(s), a public address; events: 1 or more types; topicIds: only their events (empty or omitted: every topic). */
export type CreateWebhookInput = {
  events: Array<WebhookEventType>;
  topicIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  url: Scalars['String']['input'];
};

export type DeleteContactFieldInput = {
  id: Scalars['ID']['input'];
};

export type DeletePayload = {
  __typename?: 'DeletePayload';
  deletedId?: Maybe<Scalars['ID']['output']>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type DeleteShortcutInput = {
  id: Scalars['ID']['input'];
};

export type DeleteTeamInput = {
  id: Scalars['ID']['input'];
};

export type DeleteTopicInput = {
  id: Scalars['ID']['input'];
};

export type DeleteTriggerInput = {
  id: Scalars['ID']['input'];
};

export type DeleteWebhookInput = {
  id: Scalars['ID']['input'];
};

/** Durations in seconds. The average is exact (a total over a count). The median and the 90th percentile are by nearest rank, estimated from log-spaced buckets each 25% wider than the last: within 25% of the exact value (within a second below one second). Null without durations. */
export type DurationSummary = {
  __typename?: 'DurationSummary';
  averageSeconds?: Maybe<Scalars['Float']['output']>;
  count: Scalars['Int']['output'];
  medianSeconds?: Maybe<Scalars['Float']['output']>;
  p90Seconds?: Maybe<Scalars['Float']['output']>;
};

export type ExportStatus =
  | 'DONE'
  | 'EXPIRED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING';

export type ExportTicketsInput = {
  /** The tickets to export: the same filter, checked the same way, as the tickets query's. */
  filter: TicketFilter;
};

/** What agents may do with a field's values: NONE (the field does not exist for them), VIEW or EDIT. */
export type FieldAccess =
  | 'EDIT'
  | 'NONE'
  | 'VIEW';

export type FieldValueInput = {
  key: Scalars['String']['input'];
  /** Null (or blank) clears. */
  value?: InputMaybe<Scalars['String']['input']>;
};

export type Flow = Node & {
  __typename?: 'Flow';
  externalId: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};

export type FlowPayload = {
  __typename?: 'FlowPayload';
  flow?: Maybe<Flow>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** A flow start asked of the flow engine when a trigger fires, written with the change that fired it. */
export type FlowStart = Node & {
  __typename?: 'FlowStart';
  contact: Contact;
  createdAt: Scalars['DateTime']['output'];
  /** Resume point "txId.seq": poll flowStarts(after:) with the last one you handled. */
  cursor: Scalars['String']['output'];
  flow: Flow;
  id: Scalars['ID']['output'];
  /** The ticket whose change fired the trigger; null once deleted. */
  ticket?: Maybe<Ticket>;
  /** The trigger that asked for it; null once the trigger is deleted. */
  trigger?: Maybe<Trigger>;
};

/** A folder's counts as the viewer sees them; its id names the folder, so a client cache keeps one entry per folder. */
export type FolderCount = {
  __typename?: 'FolderCount';
  closed: Scalars['Int']['output'];
  folder: TicketFolder;
  id: Scalars['ID']['output'];
  open: Scalars['Int']['output'];
};

/** A pending invitation to join the workspace: not yet accepted, revoked or expired. */
export type Invitation = Node & {
  __typename?: 'Invitation';
  createdAt: Scalars['DateTime']['output'];
  /** Lower-cased. */
  email: Scalars['String']['output'];
  /** The link stops working then: 30 days after the invitation. */
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  invitedBy: User;
  /** The role the invitee gets on accepting. */
  role: Role;
  /** Agents only: the team they join. */
  team?: Maybe<Team>;
};

export type InvitationPayload = {
  __typename?: 'InvitationPayload';
  invitation?: Maybe<Invitation>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** What an invitation link shows before it is accepted, to whoever holds the link: the same facts as the email that carried it, and whether the invited email has an account. */
export type InvitationPreview = {
  __typename?: 'InvitationPreview';
  /** The invited email: whoever accepts joins as this address. */
  email: Scalars['String']['output'];
  /** The link stops working then. */
  expiresAt: Scalars['DateTime']['output'];
  /** True when the invited email already has an account: acceptInvitation then takes its password (or a login as it), and no name. False: acceptInvitation takes a name and a new password. */
  hasAccount: Scalars['Boolean']['output'];
  /** The name of the administrator who sent the invitation. */
  inviterName: Scalars['String']['output'];
  /** The role the invitee gets on accepting. */
  role: Role;
  /** Agents only: the name of the team they join. */
  teamName?: Maybe<Scalars['String']['output']>;
  /** The workspace the invitation joins. */
  workspaceName: Scalars['String']['output'];
};

export type InviteMemberInput = {
  /** Where the invitation link is sent; stored lower-cased. */
  email: Scalars['String']['input'];
  role: Role;
  /** Agents only: the team that limits them to its topics. */
  teamId?: InputMaybe<Scalars['ID']['input']>;
};

export type LogInInput = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
  /** Needed only when the user belongs to several workspaces; default: the one used last. */
  workspaceId?: InputMaybe<Scalars['ID']['input']>;
};

/** Exactly one of ids (your notifications, 1 to 100) and all: true. */
export type MarkNotificationsSeenInput = {
  all?: InputMaybe<Scalars['Boolean']['input']>;
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
};

export type MarkNotificationsSeenPayload = {
  __typename?: 'MarkNotificationsSeenPayload';
  /** Your unseen notifications after the change. */
  unseenNotificationCount: Scalars['Int']['output'];
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** A user's membership of the current workspace. */
export type Member = Node & {
  __typename?: 'Member';
  /** While an agent: may assign tickets to others and unassign others' (default true). */
  canAssign: Scalars['Boolean']['output'];
  /** While an agent: may reply in tickets assigned to someone else (default true). */
  canReplyToOthers: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  role: Role;
  /** Agents only; null = all topics. */
  team?: Maybe<Team>;
  user: User;
};

export type MemberPayload = {
  __typename?: 'MemberPayload';
  member?: Maybe<Member>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type Message = Node & {
  __typename?: 'Message';
  /**
   * Photos, voice notes, documents or a location: the channel's references.
   *
   * At most 10 items.
   */
  attachments: Array<Attachment>;
  /** The member who sent an outgoing reply. */
  author?: Maybe<User>;
  contact: Contact;
  createdAt: Scalars['DateTime']['output'];
  direction: MessageDirection;
  /** The channel's id, unique per workspace. */
  externalId?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  status: MessageStatus;
  text: Scalars['String']['output'];
  ticket?: Maybe<Ticket>;
  /** The contact URN it came from or goes to. */
  urn: Scalars['String']['output'];
};

export type MessageConnection = {
  __typename?: 'MessageConnection';
  edges: Array<MessageEdge>;
  nodes: Array<Message>;
  pageInfo: PageInfo;
};

export type MessageDirection =
  | 'INCOMING'
  | 'OUTGOING';

export type MessageEdge = {
  __typename?: 'MessageEdge';
  cursor: Scalars['String']['output'];
  node: Message;
};

export type MessagePayload = {
  __typename?: 'MessagePayload';
  message?: Maybe<Message>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** INCOMING messages are RECEIVED; OUTGOING ones are QUEUED, then as the channel reports. */
export type MessageStatus =
  | 'DELIVERED'
  | 'FAILED'
  | 'QUEUED'
  | 'RECEIVED'
  | 'SENT';

export type Mutation = {
  __typename?: 'Mutation';
  /** Joins the workspace of an invitation link and logs in there, as the invited email: logged in as it, or with its password, or as a new user with name and password. userErrors: INVITATION_INVALID (expired, used, revoked or unknown), EMAIL_MISMATCH, INVALID_CREDENTIALS. */
  acceptInvitation: AuthPayload;
  /**
   * Adds an internal note, seen by the team only, to 1 to 100 tickets.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  addTicketNote: BulkTicketPayload;
  /**
   * Assigns 1 to 100 tickets to a member (a User id), or unassigns them with null.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  assignTickets: BulkTicketPayload;
  /**
   * Moves 1 to 100 tickets to a topic.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  changeTicketTopic: BulkTicketPayload;
  /**
   * Closes 1 to 100 tickets.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  closeTickets: BulkTicketPayload;
  /**
   * A token for an integration, acting as you in this workspace until revoked. Shown once.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  createApiToken: CreateApiTokenPayload;
  /**
   * Creates a contact; each URN is normalised and must not belong to another contact.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  createContact: ContactPayload;
  /**
   * Defines a contact field; at most 250 per workspace.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  createContactField: ContactFieldPayload;
  /**
   * Names are 1 to 64 characters, unique ignoring case; texts 1 to 10,000; at most 1,000 shortcuts per workspace.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  createShortcut: ShortcutPayload;
  /**
   * A team has exactly one of allTopics: true and 1 to 10 topics.
   *
   * Requires: ADMINISTRATOR.
   */
  createTeam: TeamPayload;
  /**
   * Names are 1 to 64 characters, unique ignoring case; at most 50 topics besides General.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  createTopic: TopicPayload;
  /**
   * Starts a registered flow (flowId or flowExternalId) for the contact of every ticket closed from now on. One trigger per type: a second is ALREADY_EXISTS.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  createTrigger: TriggerPayload;
  /**
   * Registers an endpoint, sent the events committed from now on. The answer holds its signing secret, shown this once. At most 20 per workspace (LIMIT_REACHED); the url must be http(s) and resolve to public addresses (BAD_USER_INPUT otherwise).
   *
   * Requires: ADMINISTRATOR.
   */
  createWebhook: WebhookPayload;
  /**
   * Deletes a field and every contact's value of it.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  deleteContactField: DeletePayload;
  /** Requires: ADMINISTRATOR or EDITOR. */
  deleteShortcut: DeletePayload;
  /**
   * Deletes a team with no member and no pending invitation.
   *
   * Requires: ADMINISTRATOR.
   */
  deleteTeam: DeletePayload;
  /**
   * Deletes a topic no ticket was ever filed under; General cannot be deleted.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  deleteTopic: DeletePayload;
  /**
   * Deletes a trigger; the flow starts it asked for stay, with a null trigger.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  deleteTrigger: DeletePayload;
  /**
   * Deletes an endpoint and its delivery log; a delivery in flight is its last.
   *
   * Requires: ADMINISTRATOR.
   */
  deleteWebhook: DeletePayload;
  /**
   * Starts a CSV export of the tickets of a filter (as the tickets query gives them to you) and returns it at once, PENDING; it runs in the background. A member has at most a few pending or running at once (3 by default): TOO_MANY_EXPORTS.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  exportTickets: TicketExportPayload;
  /**
   * Emails a single-use link, valid 30 days, to join this workspace with a role (and a team, for agents). userErrors: ALREADY_MEMBER, ALREADY_INVITED, TEAM_NOT_FOR_ROLE, NOT_FOUND (teamId). When the email cannot be sent, no invitation is made (INTERNAL_SERVER_ERROR saying so).
   *
   * Requires: ADMINISTRATOR.
   */
  inviteMember: InvitationPayload;
  /** Returns a session token bound to one workspace: the given one, else the only one, else the one used last. */
  logIn: AuthPayload;
  /**
   * Revokes the token this request was sent with.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  logOut: Scalars['Boolean']['output'];
  /**
   * Marks your notifications seen: these ids (one not yours is NOT_FOUND, and nothing is marked), or all: true.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  markNotificationsSeen: MarkNotificationsSeenPayload;
  /**
   * Opens a ticket for a contact (by id, or by URN, created when new). Set flowId or flowExternalId when a flow opens it. ALREADY_OPEN returns the contact's open ticket as existingTicket.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  openTicket: OpenTicketPayload;
  /**
   * A message from a channel: creates the contact for an unknown URN and joins the contact's open ticket, if any.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  receiveMessage: MessagePayload;
  /**
   * Registers a flow of the flow engine; an externalId already registered returns that flow. At most 1000 flows.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  registerFlow: FlowPayload;
  /**
   * Removes a member: revokes their tokens here and the pending invitations they sent, unassigns their open tickets and ends their subscriptions.
   *
   * Requires: ADMINISTRATOR.
   */
  removeMember: DeletePayload;
  /**
   * Reopens 1 to 100 tickets. A contact keeps one open ticket: of several of its tickets only the newest is reopened.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  reopenTickets: BulkTicketPayload;
  /**
   * Enables the endpoint and resends everything after a cursor (or, without one, from where it stopped), in order.
   *
   * Requires: ADMINISTRATOR.
   */
  replayWebhook: WebhookPayload;
  /**
   * Revokes one of your API tokens; it stops working at once.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  revokeApiToken: DeletePayload;
  /**
   * Revokes a pending invitation: its link stops working.
   *
   * Requires: ADMINISTRATOR.
   */
  revokeInvitation: DeletePayload;
  /**
   * A new signing secret, shown this once; the old one keeps signing alongside it for 24 hours, so receivers can switch.
   *
   * Requires: ADMINISTRATOR.
   */
  rotateWebhookSecret: WebhookPayload;
  /**
   * Replies to the contact on an open ticket: queued on the URN of their last incoming message for a channel to deliver.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  sendMessage: MessagePayload;
  /**
   * Sets contact field values by key, all or nothing; null clears. Agents may set EDIT fields only.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  setContactFields: ContactPayload;
  /** Creates a user, a workspace and its administrator, and logs in. */
  signUp: AuthPayload;
  /**
   * Sends a ping (type PING) now and waits for its answer (10 s at most); it shows in the endpoint's deliveries.
   *
   * Requires: ADMINISTRATOR.
   */
  testWebhook: WebhookPayload;
  /**
   * Updates name and language: omitted is unchanged, explicit null clears.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  updateContact: ContactPayload;
  /**
   * Renames a field or changes featured, priority or agent access (effective on the next request).
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  updateContactField: ContactFieldPayload;
  /**
   * Changes a member's role, team or agent permissions (canAssign, canReplyToOthers). Only agents have teams; the last administrator cannot be demoted. An administrator who loses the role loses the pending invitations they sent.
   *
   * Requires: ADMINISTRATOR.
   */
  updateMember: MemberPayload;
  /**
   * A channel's delivery report: SENT, DELIVERED or FAILED; never moves a status backwards.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  updateMessageStatus: MessagePayload;
  /**
   * Saves the contact's shared notepad; the last five versions are kept with author and time.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  updateNotepad: ContactPayload;
  /**
   * Changes a shortcut's name and/or text; an omitted field is unchanged.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  updateShortcut: ShortcutPayload;
  /**
   * Renames a team or replaces its topics (topicIds) with all topics (allTopics: true), or back.
   *
   * Requires: ADMINISTRATOR.
   */
  updateTeam: TeamPayload;
  /**
   * Renames a topic; General cannot be renamed.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  updateTopic: TopicPayload;
  /**
   * Changes an endpoint; omitted fields are unchanged.
   *
   * Requires: ADMINISTRATOR.
   */
  updateWebhook: WebhookPayload;
  /**
   * Renames the workspace or changes its time zone (the days of its statistics).
   *
   * Requires: ADMINISTRATOR.
   */
  updateWorkspace: WorkspacePayload;
};


export type MutationAcceptInvitationArgs = {
  input: AcceptInvitationInput;
};


export type MutationAddTicketNoteArgs = {
  input: AddTicketNoteInput;
};


export type MutationAssignTicketsArgs = {
  input: AssignTicketsInput;
};


export type MutationChangeTicketTopicArgs = {
  input: ChangeTicketTopicInput;
};


export type MutationCloseTicketsArgs = {
  input: CloseTicketsInput;
};


export type MutationCreateApiTokenArgs = {
  input: CreateApiTokenInput;
};


export type MutationCreateContactArgs = {
  input: CreateContactInput;
};


export type MutationCreateContactFieldArgs = {
  input: CreateContactFieldInput;
};


export type MutationCreateShortcutArgs = {
  input: CreateShortcutInput;
};


export type MutationCreateTeamArgs = {
  input: CreateTeamInput;
};


export type MutationCreateTopicArgs = {
  input: CreateTopicInput;
};


export type MutationCreateTriggerArgs = {
  input: CreateTriggerInput;
};


export type MutationCreateWebhookArgs = {
  input: CreateWebhookInput;
};


export type MutationDeleteContactFieldArgs = {
  input: DeleteContactFieldInput;
};


export type MutationDeleteShortcutArgs = {
  input: DeleteShortcutInput;
};


export type MutationDeleteTeamArgs = {
  input: DeleteTeamInput;
};


export type MutationDeleteTopicArgs = {
  input: DeleteTopicInput;
};


export type MutationDeleteTriggerArgs = {
  input: DeleteTriggerInput;
};


export type MutationDeleteWebhookArgs = {
  input: DeleteWebhookInput;
};


export type MutationExportTicketsArgs = {
  input: ExportTicketsInput;
};


export type MutationInviteMemberArgs = {
  input: InviteMemberInput;
};


export type MutationLogInArgs = {
  input: LogInInput;
};


export type MutationMarkNotificationsSeenArgs = {
  input: MarkNotificationsSeenInput;
};


export type MutationOpenTicketArgs = {
  input: OpenTicketInput;
};


export type MutationReceiveMessageArgs = {
  input: ReceiveMessageInput;
};


export type MutationRegisterFlowArgs = {
  input: RegisterFlowInput;
};


export type MutationRemoveMemberArgs = {
  input: RemoveMemberInput;
};


export type MutationReopenTicketsArgs = {
  input: ReopenTicketsInput;
};


export type MutationReplayWebhookArgs = {
  input: ReplayWebhookInput;
};


export type MutationRevokeApiTokenArgs = {
  input: RevokeApiTokenInput;
};


export type MutationRevokeInvitationArgs = {
  input: RevokeInvitationInput;
};


export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSendMessageArgs = {
  input: SendMessageInput;
};


export type MutationSetContactFieldsArgs = {
  input: SetContactFieldsInput;
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationTestWebhookArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateContactArgs = {
  input: UpdateContactInput;
};


export type MutationUpdateContactFieldArgs = {
  input: UpdateContactFieldInput;
};


export type MutationUpdateMemberArgs = {
  input: UpdateMemberInput;
};


export type MutationUpdateMessageStatusArgs = {
  input: UpdateMessageStatusInput;
};


export type MutationUpdateNotepadArgs = {
  input: UpdateNotepadInput;
};


export type MutationUpdateShortcutArgs = {
  input: UpdateShortcutInput;
};


export type MutationUpdateTeamArgs = {
  input: UpdateTeamInput;
};


export type MutationUpdateTopicArgs = {
  input: UpdateTopicInput;
};


export type MutationUpdateWebhookArgs = {
  input: UpdateWebhookInput;
};


export type MutationUpdateWorkspaceArgs = {
  input: UpdateWorkspaceInput;
};

/** An object with a global ID, resolvable by node(id:). */
export type Node = {
  id: Scalars['ID']['output'];
};

/** Something that concerns you about a ticket: one unseen per kind and ticket, updated when it happens again. */
export type Notification = Node & {
  __typename?: 'Notification';
  /** Who caused it the last time; null when a flow or the contact did. */
  actor?: Maybe<User>;
  /** When it first happened. */
  createdAt: Scalars['DateTime']['output'];
  /** Its position "txId.seq": resume the notifications subscription after it. */
  cursor: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  kind: NotificationKind;
  seen: Scalars['Boolean']['output'];
  /** The ticket, as you may see it; null once you may not. */
  ticket?: Maybe<Ticket>;
  /** When it last happened (a notification still unseen is updated, not repeated). */
  updatedAt: Scalars['DateTime']['output'];
};

export type NotificationConnection = {
  __typename?: 'NotificationConnection';
  edges: Array<NotificationEdge>;
  nodes: Array<Notification>;
  pageInfo: PageInfo;
};

export type NotificationEdge = {
  __typename?: 'NotificationEdge';
  cursor: Scalars['String']['output'];
  node: Notification;
};

export type NotificationKind =
  | 'MENTIONED'
  | 'TICKET_ACTIVITY'
  | 'TICKET_OPENED';

export type OpenTicketInput = {
  /** As a flow would give it; an unknown email opens unassigned, with a warning. */
  assigneeEmail?: InputMaybe<Scalars['String']['input']>;
  /** A member's User id. */
  assigneeId?: InputMaybe<Scalars['ID']['input']>;
  /** Exactly one of contactId and contactUrn. */
  contactId?: InputMaybe<Scalars['ID']['input']>;
  /** As a flow knows the contact; creates the contact when new. */
  contactUrn?: InputMaybe<Scalars['String']['input']>;
  /** The flow engine's id, instead of flowId. */
  flowExternalId?: InputMaybe<Scalars['String']['input']>;
  /** The flow that opened it (set = opened by a flow). */
  flowId?: InputMaybe<Scalars['ID']['input']>;
  /** A retry with the same key returns the first result. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** Template: @results.x, @results.x.category, @contact.name, @fields.key, @@ for a literal @. Rendered, trimmed, cut at 10,000 characters. */
  note?: InputMaybe<Scalars['String']['input']>;
  /** The flow's results, e.g. {"age": {"value": "32", "category": "adult"}}. */
  results?: InputMaybe<Scalars['JSON']['input']>;
  /** Default: General. */
  topicId?: InputMaybe<Scalars['ID']['input']>;
};

export type OpenTicketPayload = {
  __typename?: 'OpenTicketPayload';
  /** With ALREADY_OPEN: the contact's open ticket. */
  existingTicket?: Maybe<Ticket>;
  ticket?: Maybe<Ticket>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
  warnings: Array<Scalars['String']['output']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /**
   * Your own API tokens in this workspace that still work, newest first.
   *
   * At most 25 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  apiTokens: Array<ApiToken>;
  /**
   * A contact by its ID, as node(id:) finds it, typed: NOT_FOUND when it is not in your workspace; BAD_USER_INPUT when id is not a Contact ID.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  contact?: Maybe<Contact>;
  /**
   * The contact fields you may see: featured first by priority, then by name.
   *
   * At most 250 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  contactFields: Array<ContactField>;
  /**
   * Contact groups, starting with the system group "Open Tickets".
   *
   * At most 1 item.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  contactGroups: Array<ContactGroup>;
  /**
   * Contacts, newest first; search (3 to 100 characters) matches name, URN or the value of a field you may see.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  contacts: ContactConnection;
  /**
   * Your ticket exports, newest first (first 1 to 100, default 20). Poll it to follow an export, or subscribe to exportProgress.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  exports: Array<TicketExport>;
  /**
   * The flow starts triggers asked for, after a cursor, oldest first, in commit order: the flow engine's outbox. Poll again with the cursor of the last one handled; an empty answer means nothing new yet.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  flowStarts: Array<FlowStart>;
  /**
   * The registered flows, by name.
   *
   * At most 1,000 items.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  flows: Array<Flow>;
  /** Reads an invitation by the token of its link, before accepting it; no login needed. An unknown, used, revoked or expired token: null with a NOT_FOUND error, whichever it is. */
  invitation?: Maybe<InvitationPreview>;
  /**
   * Pending invitations (not accepted, revoked or expired), newest first.
   *
   * At most 1,000 items.
   *
   * Requires: ADMINISTRATOR.
   */
  invitations: Array<Invitation>;
  /**
   * The members of the workspace, oldest first, first (1 to 100, default 100) at a time: the next page is after the id of the last member of a page.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  members: Array<Member>;
  /**
   * Any object by its global ID; NOT_FOUND when it is not visible to you.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  node?: Maybe<Node>;
  /**
   * Up to 100 objects by global ID, in order; an invisible one is null with a NOT_FOUND error at its index.
   *
   * At most 100 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  nodes: Array<Maybe<Node>>;
  /**
   * Your notifications, newest first (first 1 to 100, default 25); only the unseen with unseenOnly. Only those about tickets you may see now.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  notifications: NotificationConnection;
  /**
   * Pre-defined responses, by name. search (3 to 100 characters) keeps those whose name or text holds it, ignoring case.
   *
   * At most 1,000 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  shortcuts: Array<Shortcut>;
  /**
   * The teams of the workspace, by name.
   *
   * At most 100 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  teams: Array<Team>;
  /**
   * A ticket by its ID, as node(id:) finds it, typed: NOT_FOUND when it is not visible to you; BAD_USER_INPUT when id is not a Ticket ID.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  ticket?: Maybe<Ticket>;
  /**
   * Open and closed counts per folder, and the topics you may see with their open counts.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  ticketCounts: TicketCounts;
  /**
   * Catch-up for pollers and reconnecting subscribers: the events you may see after a cursor, oldest first, in commit order. Poll again with pageInfo.endCursor.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  ticketEvents: TicketEventConnection;
  /**
   * Ticket statistics per day in the workspace's time zone, for the days that overlap [since, until) (732 at most), grouped by one period at most (DAY, WEEK, MONTH) and by TOPIC and/or ASSIGNEE. Kept with each change, never counted from tickets. Administrators and editors read the workspace's; agents with a team, those of the team's topics; agents without a team, their own.
   *
   * Counts at least 10,000 toward the query cost.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  ticketStatistics: TicketStatistics;
  /**
   * The inbox: a folder's tickets, open first, then by lastActivityAt and id, newest first; keyset paged.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  tickets: TicketConnection;
  /**
   * The topics you may see, General first.
   *
   * At most 51 items.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  topics: Array<Topic>;
  /**
   * The workspace's triggers (at most one per type).
   *
   * At most 1 item.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  triggers: Array<Trigger>;
  /**
   * Who is asking: the user and the workspace of the token.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  viewer: Viewer;
  /**
   * The workspace's webhook endpoints, oldest first (at most 20).
   *
   * At most 20 items.
   *
   * Requires: ADMINISTRATOR.
   */
  webhooks: Array<Webhook>;
};


export type QueryContactArgs = {
  id: Scalars['ID']['input'];
};


export type QueryContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryExportsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryFlowStartsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryInvitationArgs = {
  token: Scalars['String']['input'];
};


export type QueryMembersArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QueryNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  unseenOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryShortcutsArgs = {
  search?: InputMaybe<Scalars['String']['input']>;
};


export type QueryTicketArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTicketEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TicketEventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTicketStatisticsArgs = {
  groupBy: Array<StatisticsGrouping>;
  since: Scalars['DateTime']['input'];
  until: Scalars['DateTime']['input'];
};


export type QueryTicketsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TicketFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** From a channel; a repeated externalId returns the first message. */
export type ReceiveMessageInput = {
  /** The photos, voice notes, documents or location received, at most 10. */
  attachments?: InputMaybe<Array<AttachmentInput>>;
  contactName?: InputMaybe<Scalars['String']['input']>;
  externalId?: InputMaybe<Scalars['String']['input']>;
  /** At most 10,000 characters; may be empty when the message has attachments. */
  text: Scalars['String']['input'];
  urn: Scalars['String']['input'];
};

export type RegisterFlowInput = {
  /** The flow engine's id of the flow. */
  externalId: Scalars['String']['input'];
  name: Scalars['String']['input'];
};

export type RemoveMemberInput = {
  /** The Member id. */
  id: Scalars['ID']['input'];
};

export type ReopenTicketsInput = {
  /** 1 to 100 ticket ids. */
  ticketIds: Array<Scalars['ID']['input']>;
};

/** Enables the endpoint and resends everything after `after`: a cursor it was sent (or a ticketEvents cursor, or a list's eventCursor). Without it, resumes from where it stopped. */
export type ReplayWebhookInput = {
  after?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};

export type RevokeApiTokenInput = {
  id: Scalars['ID']['input'];
};

export type RevokeInvitationInput = {
  id: Scalars['ID']['input'];
};

/** A member's role in a workspace. */
export type Role =
  | 'ADMINISTRATOR'
  | 'AGENT'
  | 'EDITOR';

export type SendMessageInput = {
  /** Files or a location to send, at most 10. */
  attachments?: InputMaybe<Array<AttachmentInput>>;
  /** 1 to 10,000 characters; may be empty when the message has attachments. */
  text: Scalars['String']['input'];
  ticketId: Scalars['ID']['input'];
};

/** All or nothing: one invalid value changes nothing. */
export type SetContactFieldsInput = {
  contactId: Scalars['ID']['input'];
  values: Array<FieldValueInput>;
};

/** A pre-defined response agents insert into replies. */
export type Shortcut = Node & {
  __typename?: 'Shortcut';
  id: Scalars['ID']['output'];
  /** 1 to 64 characters, unique in the workspace ignoring case. */
  name: Scalars['String']['output'];
  /** 1 to 10,000 characters. */
  text: Scalars['String']['output'];
};

export type ShortcutPayload = {
  __typename?: 'ShortcutPayload';
  shortcut?: Maybe<Shortcut>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type SignUpInput = {
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  /** At least 8 characters. */
  password: Scalars['String']['input'];
  workspaceName: Scalars['String']['input'];
};

/** DAY, WEEK (ISO) or MONTH in the workspace's time zone (one at most), TOPIC, ASSIGNEE. */
export type StatisticsGrouping =
  | 'ASSIGNEE'
  | 'DAY'
  | 'MONTH'
  | 'TOPIC'
  | 'WEEK';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * One of your exports as it runs: its state at once, then at every change (every second or so while rows are written), ending after DONE or FAILED. Another's export, or an unknown id, is NOT_FOUND.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  exportProgress: TicketExport;
  /**
   * Flow starts asked by triggers, for the flow engine; resumable from a cursor like ticketEvents.
   *
   * Requires: ADMINISTRATOR or EDITOR.
   */
  flowStarts: FlowStart;
  /**
   * Your notifications as they happen (a notification updated while unseen comes again). With `after` (a notification's cursor), first replays every one after it, in order, then continues live: resumable like ticketEvents.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  notifications: Notification;
  /**
   * Live ticket events you may see. With `after`, first replays every event after that cursor in order, then continues live: no gap, no duplicate; cursor order is commit order. Close codes: 4403 with reason UNAUTHENTICATED (token missing, invalid or revoked) or MEMBER_REMOVED; 1013 subscriber too slow (resume from the last cursor); 1012 server shutting down.
   *
   * Requires: any member (ADMINISTRATOR, EDITOR, AGENT).
   */
  ticketEvents: TicketEvent;
};


export type SubscriptionExportProgressArgs = {
  id: Scalars['ID']['input'];
};


export type SubscriptionFlowStartsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionTicketEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TicketEventFilter>;
};

/** A team of agents, limited to its topics unless allTopics. */
export type Team = Node & {
  __typename?: 'Team';
  allTopics: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /**
   * The team's topics; empty when allTopics.
   *
   * At most 10 items.
   */
  topics: Array<Topic>;
};

export type TeamPayload = {
  __typename?: 'TeamPayload';
  team?: Maybe<Team>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

export type Ticket = Node & {
  __typename?: 'Ticket';
  assignee?: Maybe<User>;
  closedAt?: Maybe<Scalars['DateTime']['output']>;
  contact: Contact;
  /** The thread, oldest first; last/before for the newest page. */
  events: TicketEventConnection;
  id: Scalars['ID']['output'];
  lastActivityAt: Scalars['DateTime']['output'];
  /** For inbox previews. */
  lastMessage?: Maybe<Message>;
  /**
   * Events that carry a note, oldest first: OPENED (when opened with one) and NOTE_ADDED. first (default 100) reads the oldest, last the newest, 1 to 100 either way; events pages through the whole thread.
   *
   * At most 100 items.
   */
  notes: Array<TicketEvent>;
  openedAt: Scalars['DateTime']['output'];
  /** Null when opened by a flow. */
  openedBy?: Maybe<User>;
  openedIn?: Maybe<Flow>;
  /** The first member reply. */
  repliedAt?: Maybe<Scalars['DateTime']['output']>;
  status: TicketStatus;
  topic: Topic;
  /** Increases by one on every change; events carry it. */
  version: Scalars['Int']['output'];
};


export type TicketEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


export type TicketNotesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

export type TicketConnection = {
  __typename?: 'TicketConnection';
  edges: Array<TicketEdge>;
  /** The event cursor as of this list: subscribe with after: eventCursor. */
  eventCursor?: Maybe<Scalars['String']['output']>;
  nodes: Array<Ticket>;
  pageInfo: PageInfo;
  /** Exact and O(1) for folder lists; null when it cannot be (search). */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

export type TicketCounts = {
  __typename?: 'TicketCounts';
  /** At most 3 items. */
  folders: Array<FolderCount>;
  /**
   * The topics you may see, each with its openCount.
   *
   * At most 51 items.
   */
  topics: Array<Topic>;
};

export type TicketEdge = {
  __typename?: 'TicketEdge';
  cursor: Scalars['String']['output'];
  node: Ticket;
};

export type TicketEvent = Node & {
  __typename?: 'TicketEvent';
  /** Null when done by a flow or a channel. */
  actor?: Maybe<User>;
  /** OPENED and ASSIGNED: the assignee (null = unassigned). */
  assignee?: Maybe<User>;
  createdAt: Scalars['DateTime']['output'];
  /** Resume point: monotonic within the workspace, in commit order. */
  cursor: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** MESSAGE_RECEIVED and MESSAGE_SENT: the message. */
  message?: Maybe<Message>;
  /** NOTE_ADDED, and OPENED when opened with a note. */
  note?: Maybe<Scalars['String']['output']>;
  /** ASSIGNED: the assignee before. */
  previousAssignee?: Maybe<User>;
  /** TOPIC_CHANGED: the topic before. */
  previousTopic?: Maybe<Topic>;
  /** The ticket as you may see it: as it is while it is in your topics; once it has left them, as it was when it last was in them. */
  ticket: Ticket;
  ticketVersion: Scalars['Int']['output'];
  /** OPENED and TOPIC_CHANGED: the topic. */
  topic?: Maybe<Topic>;
  type: TicketEventType;
};

export type TicketEventConnection = {
  __typename?: 'TicketEventConnection';
  edges: Array<TicketEventEdge>;
  nodes: Array<TicketEvent>;
  pageInfo: PageInfo;
};

export type TicketEventEdge = {
  __typename?: 'TicketEventEdge';
  cursor: Scalars['String']['output'];
  node: TicketEvent;
};

export type TicketEventFilter = {
  ticketId?: InputMaybe<Scalars['ID']['input']>;
  topicIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  types?: InputMaybe<Array<TicketEventType>>;
};

export type TicketEventType =
  | 'ASSIGNED'
  | 'CLOSED'
  | 'MESSAGE_RECEIVED'
  | 'MESSAGE_SENT'
  | 'NOTE_ADDED'
  | 'OPENED'
  | 'REOPENED'
  | 'TOPIC_CHANGED';

/** A CSV file of the tickets of a filter, written in the background; only the member who asked for it sees it. Its file may be downloaded for 24 hours once DONE (see downloadUrl), then it is EXPIRED and deleted. */
export type TicketExport = Node & {
  __typename?: 'TicketExport';
  createdAt: Scalars['DateTime']['output'];
  /** When DONE and not expired: the file's address on this server, with a fresh single-use token valid until the export expires. GET it with no header, or GET its path without the token with your Authorization header. */
  downloadUrl?: Maybe<Scalars['String']['output']>;
  /** When FAILED: why, in a short sentence. */
  error?: Maybe<Scalars['String']['output']>;
  /** When it became DONE or FAILED. */
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** 0..1: rowCount over the tickets counted when it started; 1 once DONE. */
  progress: Scalars['Float']['output'];
  /** Tickets written so far (all of them once DONE). */
  rowCount: Scalars['Int']['output'];
  status: ExportStatus;
};

export type TicketExportPayload = {
  __typename?: 'TicketExportPayload';
  export?: Maybe<TicketExport>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** Why one ticket of a bulk change was left as it was. */
export type TicketFailure = {
  __typename?: 'TicketFailure';
  code: UserErrorCode;
  conflictingTicket?: Maybe<Ticket>;
  message: Scalars['String']['output'];
  /** The ticket as you may see it now, to correct a client's cache; null when it is not visible to you (NOT_FOUND). */
  ticket?: Maybe<Ticket>;
  ticketId: Scalars['ID']['output'];
};

export type TicketFilter = {
  folder?: InputMaybe<TicketFolder>;
  /** At least 3 characters: contact name, URN or message text. */
  search?: InputMaybe<Scalars['String']['input']>;
  /** Explicit null: both, open ones first. */
  status?: InputMaybe<TicketStatus>;
  topicId?: InputMaybe<Scalars['ID']['input']>;
};

/** MINE: assigned to you; UNASSIGNED: assigned to nobody; ALL: every ticket you may see. */
export type TicketFolder =
  | 'ALL'
  | 'MINE'
  | 'UNASSIGNED';

export type TicketStatistics = {
  __typename?: 'TicketStatistics';
  /** At most 2,000 items. */
  rows: Array<TicketStatisticsRow>;
  since: Scalars['DateTime']['output'];
  /** The time zone whose days the figures are counted in: the workspace's. */
  timezone: Scalars['String']['output'];
  until: Scalars['DateTime']['output'];
};

/** One group's figures. opened: tickets opened (no assignee: under ASSIGNEE it is in the row without one); closed: closes, by the assignee then; assigned: tickets given their first assignee, by that assignee; replies: member replies, by the member; firstReply: opening to the first member reply, on the day the ticket opened, by the replier; resolution: opening to a close, on the day of the close, by the assignee then. */
export type TicketStatisticsRow = {
  __typename?: 'TicketStatisticsRow';
  /** First assignments. */
  assigned: Scalars['Int']['output'];
  /** When grouped by ASSIGNEE: the member (null: no member). */
  assignee?: Maybe<User>;
  closed: Scalars['Int']['output'];
  firstReply: DurationSummary;
  opened: Scalars['Int']['output'];
  /** When grouped by a period: "2026-11-24", ISO week "2026-W48", or "2026-11". */
  period?: Maybe<Scalars['String']['output']>;
  replies: Scalars['Int']['output'];
  resolution: DurationSummary;
  /** When grouped by TOPIC: the topic, as you may see it (a deleted topic still names itself, as in past events). */
  topic?: Maybe<Topic>;
};

export type TicketStatus =
  | 'CLOSED'
  | 'OPEN';

export type Topic = Node & {
  __typename?: 'Topic';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** The default "General" topic. */
  isSystem: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  /** Open tickets you can see in this topic. */
  openCount: Scalars['Int']['output'];
};

export type TopicPayload = {
  __typename?: 'TopicPayload';
  topic?: Maybe<Topic>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** Starts a flow when something happens to a ticket; one per type per workspace. */
export type Trigger = Node & {
  __typename?: 'Trigger';
  createdAt: Scalars['DateTime']['output'];
  flow: Flow;
  id: Scalars['ID']['output'];
  type: TriggerType;
};

export type TriggerPayload = {
  __typename?: 'TriggerPayload';
  trigger?: Maybe<Trigger>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
};

/** TICKET_CLOSED: a ticket was closed. */
export type TriggerType =
  | 'TICKET_CLOSED';

/** Omitted fields are unchanged; the key and type never change. */
export type UpdateContactFieldInput = {
  agentAccess?: InputMaybe<FieldAccess>;
  featured?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  priority?: InputMaybe<Scalars['Int']['input']>;
};

/** An omitted field is unchanged; an explicit null clears it. */
export type UpdateContactInput = {
  id: Scalars['ID']['input'];
  language?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Omitted fields are unchanged; teamId: null takes an agent out of their team. */
export type UpdateMemberInput = {
  /** While an agent: may assign tickets to others and unassign others'. Taking an unassigned ticket and releasing one's own are always allowed. */
  canAssign?: InputMaybe<Scalars['Boolean']['input']>;
  /** While an agent: may reply in tickets assigned to someone else. Unassigned tickets and one's own are always allowed. */
  canReplyToOthers?: InputMaybe<Scalars['Boolean']['input']>;
  /** The Member id. */
  id: Scalars['ID']['input'];
  role?: InputMaybe<Role>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
};

/** The channel reports delivery. */
export type UpdateMessageStatusInput = {
  id: Scalars['ID']['input'];
  status: MessageStatus;
};

export type UpdateNotepadInput = {
  contactId: Scalars['ID']['input'];
  /** The whole new text, at most 10,000 characters. */
  text: Scalars['String']['input'];
};

/** An omitted field is unchanged; name and text cannot be null. */
export type UpdateShortcutInput = {
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  text?: InputMaybe<Scalars['String']['input']>;
};

/** Omitted fields are unchanged; topicIds and allTopics: true replace each other. */
export type UpdateTeamInput = {
  allTopics?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  topicIds?: InputMaybe<Array<Scalars['ID']['input']>>;
};

export type UpdateTopicInput = {
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};

/** Omitted fields are unchanged. enabled: false pauses it; enabled: true resumes it from where it stopped. */
export type UpdateWebhookInput = {
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  events?: InputMaybe<Array<WebhookEventType>>;
  id: Scalars['ID']['input'];
  topicIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  url?: InputMaybe<Scalars['String']['input']>;
};

/** What is absent stays as it is. */
export type UpdateWorkspaceInput = {
  /** 1 to 64 characters, not blank. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** An IANA time zone name, such as "Africa/Kigali" or "UTC". */
  timezone?: InputMaybe<Scalars['String']['input']>;
};

export type User = Node & {
  __typename?: 'User';
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};

/** An expected failure, with a stable code. */
export type UserError = {
  __typename?: 'UserError';
  code: UserErrorCode;
  /** Path into the input, e.g. ["name"]. */
  field?: Maybe<Array<Scalars['String']['output']>>;
  /** The same path dotted, e.g. "values.0.key". */
  fieldName?: Maybe<Scalars['String']['output']>;
  /** The same list as field, e.g. ["values", "0", "key"]. */
  fieldPath?: Maybe<Array<Scalars['String']['output']>>;
  /** Human readable. */
  message: Scalars['String']['output'];
};

/** Stable codes of userErrors and per-ticket failures; clients switch on them. */
export type UserErrorCode =
  | 'ALREADY_ASSIGNED'
  | 'ALREADY_CLOSED'
  | 'ALREADY_EXISTS'
  | 'ALREADY_INVITED'
  | 'ALREADY_MEMBER'
  | 'ALREADY_OPEN'
  | 'ASSIGNEE_CANNOT_SEE'
  | 'CANNOT_ASSIGN'
  | 'CANNOT_REPLY'
  | 'EMAIL_MISMATCH'
  | 'EMAIL_TAKEN'
  | 'EMPTY_NOTE'
  | 'FIELD_NOT_EDITABLE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_URN'
  | 'INVALID_VALUE'
  | 'INVITATION_INVALID'
  | 'KEY_TAKEN'
  | 'LAST_ADMINISTRATOR'
  | 'LIMIT_REACHED'
  | 'NAME_TAKEN'
  | 'NOT_A_MEMBER'
  | 'NOT_FOUND'
  | 'RESERVED_KEY'
  | 'SAME_TOPIC'
  | 'SIGNUP_DISABLED'
  | 'SYSTEM_TOPIC'
  | 'TEAM_IN_USE'
  | 'TEAM_NOT_FOR_ROLE'
  | 'TICKET_CLOSED'
  | 'TOO_MANY_EXPORTS'
  | 'TOPIC_IN_TEAM'
  | 'TOPIC_IN_USE'
  | 'TOPIC_NOT_ALLOWED'
  | 'URN_TAKEN';

/** Who is asking: the user, in the workspace their token is bound to. */
export type Viewer = {
  __typename?: 'Viewer';
  role: Role;
  /** Agents only: the team that limits you to its topics. */
  team?: Maybe<Team>;
  /** How many of your notifications are unseen. */
  unseenNotificationCount: Scalars['Int']['output'];
  user: User;
  workspace: Workspace;
  /**
   * Every workspace the user belongs to; logIn with workspaceId to switch.
   *
   * At most 100 items.
   */
  workspaces: Array<Workspace>;
};

/** An endpoint that receives the workspace's events by HTTPS POST, signed (Standard Webhooks), one at a time in commit order, at least once: retried with backoff for 3 days, then disabled until replayed. See the integrators' guide. */
export type Webhook = Node & {
  __typename?: 'Webhook';
  createdAt: Scalars['DateTime']['output'];
  /** The delivery log, newest first: every attempt of the last 7 days. */
  deliveries: WebhookDeliveryConnection;
  /** Why deliveries stopped, when they kept failing. */
  disabledReason?: Maybe<Scalars['String']['output']>;
  /** False when paused by an administrator or disabled after failing for 3 days (see disabledReason). */
  enabled: Scalars['Boolean']['output'];
  /** At most 9 items. */
  events: Array<WebhookEventType>;
  id: Scalars['ID']['output'];
  /** The cursor of the last item the endpoint acknowledged with a 2xx; null before the first. */
  lastDeliveredCursor?: Maybe<Scalars['String']['output']>;
  /**
   * Only these topics' events (flow starts: their ticket's topic); empty: every topic.
   *
   * At most 50 items.
   */
  topics: Array<Topic>;
  url: Scalars['String']['output'];
};


/** An endpoint that receives the workspace's events by HTTPS POST, signed (Standard Webhooks), one at a time in commit order, at least once: retried with backoff for 3 days, then disabled until replayed. See the integrators' guide. */
export type WebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** One attempt to deliver an item (or a ping) to an endpoint; kept 7 days. */
export type WebhookDelivery = Node & {
  __typename?: 'WebhookDelivery';
  /** 1 for the first attempt at the item, then 2, 3... */
  attempt: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The item's cursor (a ping: the endpoint's position when it was sent). */
  cursor: Scalars['String']['output'];
  durationMs?: Maybe<Scalars['Int']['output']>;
  /** Why it failed: no 2xx, a timeout, a refused address... */
  error?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** After a failure: when the item is tried again; null once given up. */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** The start of the response's body (2,048 characters at most). */
  response?: Maybe<Scalars['String']['output']>;
  /** The response's status; null when none came (refused address, timeout, connection error). */
  statusCode?: Maybe<Scalars['Int']['output']>;
  /** The webhook-id header: the same for every attempt at one item, so a receiver can deduplicate. */
  webhookMessageId: Scalars['String']['output'];
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  edges: Array<WebhookDeliveryEdge>;
  nodes: Array<WebhookDelivery>;
  pageInfo: PageInfo;
};

export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

/** What a webhook endpoint is sent: each ticket event type, and FLOW_STARTED (a flow start a close caused). */
export type WebhookEventType =
  | 'ASSIGNED'
  | 'CLOSED'
  | 'FLOW_STARTED'
  | 'MESSAGE_RECEIVED'
  | 'MESSAGE_SENT'
  | 'NOTE_ADDED'
  | 'OPENED'
  | 'REOPENED'
  | 'TOPIC_CHANGED';

export type WebhookPayload = {
  __typename?: 'WebhookPayload';
  /** The signing secret (whsec_...): only in the answer of createWebhook and rotateWebhookSecret, never again. */
  secret?: Maybe<Scalars['String']['output']>;
  /** At most 1 item. */
  userErrors: Array<UserError>;
  webhook?: Maybe<Webhook>;
};

export type Workspace = Node & {
  __typename?: 'Workspace';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Its time zone, an IANA name such as "Africa/Kigali" (default "UTC"): the days of its statistics. */
  timezone: Scalars['String']['output'];
};

export type WorkspacePayload = {
  __typename?: 'WorkspacePayload';
  /** At most 1 item. */
  userErrors: Array<UserError>;
  workspace?: Maybe<Workspace>;
};
