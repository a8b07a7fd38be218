/**
 * What every actor gets from every root field of the API: the expectation table of
 * authorization-matrix.test.ts, written from DESIGN.md's permission table and its "Errors a
 * client can rely on", and from docs/frontend.md's sections on teams, contact fields and API tokens.
 *
 * Every Query, Mutation and Subscription field of the schema has a row, and every row names a
 * field of the schema: the test fails otherwise, so a new operation cannot go unclassified.
 */

/**
 * The actors. All but the last are members of workspace A, whose objects every request names.
 * - `agent`: an agent with no team, who sees every topic;
 * - `teamAgent`: an agent whose team has one topic (Billing) of A's two (General, Billing);
 * - `otherAdmin`: the administrator of another workspace, B, sending A's ids.
 */
export const ACTORS = ["anonymous", "administrator", "editor", "agent", "teamAgent", "otherAdmin"] as const;
export type Actor = (typeof ACTORS)[number];

/** What a restricted view lets through, for an actor who is allowed but does not see everything. */
export type View =
  /**
   * A team agent: tickets, their events, messages, topics and counts of the team's topics only;
   * a ticket of another topic is NOT_FOUND (a mutation on one fails as an unknown id would, and
   * changes nothing). Team agents are agents, so AGENT_FIELDS applies too.
   */
  | "TEAM_TOPICS"
  /** An agent: contact fields with agentAccess NONE do not exist; VIEW fields are read only. */
  | "AGENT_FIELDS"
  /** The administrator of workspace B: only B's objects, none of A's; A is left unchanged. */
  | "OWN_WORKSPACE"
  /** Only the caller's own API tokens. */
  | "OWN_TOKENS"
  /** Only the caller's own figures: the ticket statistics of an agent without a team. */
  | "OWN_FIGURES";

export type Outcome =
  /** Runs, with nothing held back; a payload has no userErrors and a bulk change no failures. */
  | "ALLOWED"
  /** A top-level UNAUTHENTICATED error, without a token and with a bad one (over WebSocket: close 4403). */
  | "UNAUTHENTICATED"
  /** A top-level FORBIDDEN error; nothing changes. */
  | "FORBIDDEN"
  /**
   * The ids are unknown to the caller: node → null with NOT_FOUND at its path; nodes → null
   * with NOT_FOUND at each index; a bulk ticket change → a NOT_FOUND failure per id; any other
   * mutation → a NOT_FOUND userError. Nothing changes.
   */
  | "NOT_FOUND"
  /** Runs, but only shows (or changes) what the view lets through. */
  | { sees: View }
  /** A business rule refuses it with this userError code; nothing changes. */
  | { userError: string };

export type Row = Record<Actor, Outcome>;

const U = "UNAUTHENTICATED" as const;
const A = "ALLOWED" as const;
const F = "FORBIDDEN" as const;
const N = "NOT_FOUND" as const;
const TEAM = { sees: "TEAM_TOPICS" } as const;
const FIELDS = { sees: "AGENT_FIELDS" } as const;
const OWN = { sees: "OWN_WORKSPACE" } as const;
const TOKENS = { sees: "OWN_TOKENS" } as const;

export const MATRIX: Record<string, Row> = {
  // Identity: public operations, then what any member does with their own session and tokens.
  "Mutation.signUp": { anonymous: A, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: A },
  "Mutation.logIn": { anonymous: A, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: A },
  // Accepting joins as the invited email: logged in as anyone else is EMAIL_MISMATCH.
  "Mutation.acceptInvitation": {
    anonymous: A,
    administrator: { userError: "EMAIL_MISMATCH" },
    editor: { userError: "EMAIL_MISMATCH" },
    agent: { userError: "EMAIL_MISMATCH" },
    teamAgent: { userError: "EMAIL_MISMATCH" },
    otherAdmin: { userError: "EMAIL_MISMATCH" },
  },
  // Reading an invitation by its link's token: the token is the credential, whoever sends it,
  // logged in or not (B's administrator holding A's link reads it as anyone holding it would).
  "Query.invitation": { anonymous: A, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: A },
  "Mutation.logOut": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: A },
  "Query.viewer": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: OWN },
  "Query.apiTokens": { anonymous: U, administrator: TOKENS, editor: TOKENS, agent: TOKENS, teamAgent: TOKENS, otherAdmin: TOKENS },
  "Mutation.createApiToken": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: A },
  "Mutation.revokeApiToken": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },

  // Objects by id.
  "Query.node": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N },
  // The typed roots find what node(id:) finds: a ticket of another topic does not exist for a team agent.
  "Query.ticket": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N },
  "Query.contact": { anonymous: U, administrator: A, editor: A, agent: FIELDS, teamAgent: TEAM, otherAdmin: N },
  "Query.nodes": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },

  // Tickets: seen by topic; changed by any member who sees them; opened by administrators and editors.
  "Query.tickets": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Query.ticketCounts": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Query.ticketEvents": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Mutation.openTicket": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.assignTickets": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },
  // A team agent may not move a ticket out of the team's topics.
  "Mutation.changeTicketTopic": {
    anonymous: U,
    administrator: A,
    editor: A,
    agent: A,
    teamAgent: { userError: "TOPIC_NOT_ALLOWED" },
    otherAdmin: N,
  },
  "Mutation.closeTickets": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },
  "Mutation.reopenTickets": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },
  "Mutation.addTicketNote": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },

  // Messages: members reply; the channel side is for administrators and editors.
  "Mutation.sendMessage": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: N },
  // An URN of A's contact names a contact of B's own in B.
  "Mutation.receiveMessage": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.updateMessageStatus": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },

  // Topics: every member reads those they may see; administrators and editors manage them.
  "Query.topics": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Mutation.createTopic": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: A },
  "Mutation.updateTopic": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteTopic": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },

  // Contacts: read by every member (their tickets by topic); written by administrators and editors.
  "Query.contacts": { anonymous: U, administrator: A, editor: A, agent: FIELDS, teamAgent: TEAM, otherAdmin: OWN },
  // A's contact's URN is free in B.
  "Mutation.createContact": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.updateContact": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Query.contactGroups": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Mutation.updateNotepad": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },

  // Contact fields: defined by administrators and editors; agents see and edit by agentAccess.
  "Query.contactFields": { anonymous: U, administrator: A, editor: A, agent: FIELDS, teamAgent: FIELDS, otherAdmin: OWN },
  "Mutation.createContactField": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: A },
  "Mutation.updateContactField": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteContactField": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.setContactFields": { anonymous: U, administrator: A, editor: A, agent: FIELDS, teamAgent: FIELDS, otherAdmin: N },

  // Shortcuts: read by every member, managed by administrators and editors.
  "Query.shortcuts": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: OWN },
  "Mutation.createShortcut": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: A },
  "Mutation.updateShortcut": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteShortcut": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },

  // Flows, triggers and flow starts: administrators and editors only.
  "Query.flows": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  // Registering A's externalId in B registers B's own flow.
  "Mutation.registerFlow": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  "Query.triggers": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.createTrigger": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteTrigger": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.updateWorkspace": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: OWN },
  // Agents with a team: their topics' figures; agents without one: their own.
  "Query.ticketStatistics": { anonymous: U, administrator: A, editor: A, agent: { sees: "OWN_FIGURES" }, teamAgent: TEAM, otherAdmin: OWN },
  "Query.notifications": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  // Their own notifications only, whatever their topics: no ticket is named.
  "Mutation.markNotificationsSeen": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: OWN },
  "Query.flowStarts": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  // Ticket exports: administrators and editors, each seeing only their own.
  "Query.exports": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  // B's administrator exports B's tickets: the filter names no object of A.
  "Mutation.exportTickets": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },

  // Members and teams: read by every member (assignee pickers), written by administrators.
  "Query.members": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: OWN },
  "Mutation.updateMember": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.removeMember": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  // A team agent reads every team, but no open count of a topic outside their own.
  "Query.teams": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Mutation.createTeam": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.updateTeam": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteTeam": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },

  // Invitations: administrators only.
  "Query.invitations": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.inviteMember": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.revokeInvitation": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },

  // Webhooks: administrators only; another workspace's endpoint does not exist for B's administrator.
  "Query.webhooks": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.createWebhook": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: OWN },
  "Mutation.updateWebhook": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.deleteWebhook": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.rotateWebhookSecret": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.replayWebhook": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },
  "Mutation.testWebhook": { anonymous: U, administrator: A, editor: F, agent: F, teamAgent: F, otherAdmin: N },

  // Subscriptions, over graphql-ws: UNAUTHENTICATED is the close code 4403.
  "Subscription.ticketEvents": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Subscription.notifications": { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: TEAM, otherAdmin: OWN },
  "Subscription.flowStarts": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: OWN },
  // One export of the subscriber's own; A's export named by B's administrator does not exist.
  "Subscription.exportProgress": { anonymous: U, administrator: A, editor: A, agent: F, teamAgent: F, otherAdmin: N },
};

/** node(id:) for one object of workspace A: found, or NOT_FOUND. */
export type NodeOutcome = "ALLOWED" | "NOT_FOUND" | "UNAUTHENTICATED";

/**
 * node(id:) per object of workspace A and actor. Every type implementing Node has at least one
 * row (the test checks it). Where a list is denied to a role, its objects are NOT_FOUND by id.
 */
export const NODE_MATRIX: Record<string, { type: string; outcomes: Record<Actor, NodeOutcome> }> = {
  "the workspace": { type: "Workspace", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a member's user": { type: "User", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a member": { type: "Member", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "the administrator's API token": {
    type: "ApiToken",
    outcomes: { anonymous: U, administrator: A, editor: N, agent: N, teamAgent: N, otherAdmin: N },
  },
  "the topic General": { type: "Topic", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N } },
  "the topic Billing": { type: "Topic", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a contact": { type: "Contact", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a flow": { type: "Flow", outcomes: { anonymous: U, administrator: A, editor: A, agent: N, teamAgent: N, otherAdmin: N } },
  "a ticket in General": { type: "Ticket", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N } },
  "a ticket in Billing": { type: "Ticket", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a message of a ticket in General": {
    type: "Message",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N },
  },
  "a message of a ticket in Billing": {
    type: "Message",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },
  },
  "an event of a ticket in General": {
    type: "TicketEvent",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: N, otherAdmin: N },
  },
  "an event of a ticket in Billing": {
    type: "TicketEvent",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },
  },
  "a contact field agents may not see (NONE)": {
    type: "ContactField",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: N, teamAgent: N, otherAdmin: N },
  },
  "a contact field agents may read (VIEW)": {
    type: "ContactField",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },
  },
  "the Open Tickets group": {
    type: "ContactGroup",
    outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N },
  },
  "a team": { type: "Team", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a pending invitation": {
    type: "Invitation",
    outcomes: { anonymous: U, administrator: A, editor: N, agent: N, teamAgent: N, otherAdmin: N },
  },
  "a shortcut": { type: "Shortcut", outcomes: { anonymous: U, administrator: A, editor: A, agent: A, teamAgent: A, otherAdmin: N } },
  "a trigger": { type: "Trigger", outcomes: { anonymous: U, administrator: A, editor: A, agent: N, teamAgent: N, otherAdmin: N } },
  "a flow start": { type: "FlowStart", outcomes: { anonymous: U, administrator: A, editor: A, agent: N, teamAgent: N, otherAdmin: N } },
  // Notifications are their member's own.
  "the agent's notification": {
    type: "Notification",
    outcomes: { anonymous: U, administrator: N, editor: N, agent: A, teamAgent: N, otherAdmin: N },
  },
  // Webhooks and their delivery log are administrators' only.
  "a webhook": { type: "Webhook", outcomes: { anonymous: U, administrator: A, editor: N, agent: N, teamAgent: N, otherAdmin: N } },
  "a webhook delivery": {
    type: "WebhookDelivery",
    outcomes: { anonymous: U, administrator: A, editor: N, agent: N, teamAgent: N, otherAdmin: N },
  },
  // Exports are their requester's own.
  "the administrator's export": {
    type: "TicketExport",
    outcomes: { anonymous: U, administrator: A, editor: N, agent: N, teamAgent: N, otherAdmin: N },
  },
};
