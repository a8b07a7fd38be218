/**
 * Plays the story through the GraphQL API, as the people of the story would: the administrator
 * furnishes the workspace and invites the team, each member acts with their own session (so a
 * team agent can do only what the product lets them), and the support bot and the channel
 * connector act with an integration's API token. Every count, event, version, flow start and
 * the Open Tickets group are therefore the server's own.
 */
import { randomBytes } from "node:crypto";
import type { Api } from "./api";
import { DEMO_PASSWORD, FIELDS, MEMBERS, SHORTCUTS, SUPPORT_BOT, SURVEY, TEAMS, TOPICS, type MemberKey, type TopicName } from "./cast";
import type { StoryClock } from "./clock";
import type { DemoMailbox } from "./mailbox";
import { parseAgo, scenes, SETUP_AT, TRIGGER_AT, type Beat, type Scene } from "./scenes";

/** The demo workspace as the story left it: what the bulk volume and the summary need. */
export interface Cast {
  workspaceId: string;
  /** Global ids. */
  users: Map<MemberKey, string>;
  topics: Map<TopicName, string>;
  teams: Map<string, string>;
  supportBotId: string;
  tickets: number;
  contacts: number;
}

interface SceneState {
  contactId?: string;
  ticketId?: string;
  /** Where the contact last wrote from: the bot knows them by it. */
  lastUrn?: string;
}

const q = {
  updateMember: `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } userErrors { code message } } }`,
  createTopic: `mutation($i: CreateTopicInput!) { createTopic(input: $i) { topic { id } userErrors { code message } } }`,
  createTeam: `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { code message } } }`,
  invite: `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code message } } }`,
  accept: `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token viewer { user { id } } userErrors { code message } } }`,
  createField: `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { contactField { key } userErrors { code message } } }`,
  createShortcut: `mutation($i: CreateShortcutInput!) { createShortcut(input: $i) { shortcut { id } userErrors { code message } } }`,
  registerFlow: `mutation($i: RegisterFlowInput!) { registerFlow(input: $i) { flow { id } userErrors { code message } } }`,
  createTrigger: `mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { trigger { id } userErrors { code message } } }`,
  createApiToken: `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token userErrors { code message } } }`,
  createContact: `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } userErrors { code message } } }`,
  setFields: `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { contact { id } userErrors { code field message } } }`,
  notepad: `mutation($i: UpdateNotepadInput!) { updateNotepad(input: $i) { contact { id } userErrors { code message } } }`,
  receive: `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { message { id } userErrors { code message } } }`,
  open: `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } warnings userErrors { code field message } } }`,
  assign: `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`,
  send: `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } userErrors { code message } } }`,
  status: `mutation($i: UpdateMessageStatusInput!) { updateMessageStatus(input: $i) { message { id } userErrors { code message } } }`,
  note: `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`,
  move: `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`,
  close: `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`,
  reopen: `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { tickets { id } failures { code message } userErrors { code message } } }`,
};

/** What a channel would give as the message's id: a WhatsApp wamid, a Twilio SID, a Telegram message id. */
function externalId(urn: string): string {
  const scheme = urn.slice(0, urn.indexOf(":"));
  if (scheme === "whatsapp") return `wamid.${randomBytes(18).toString("base64url")}`;
  if (scheme === "telegram") return String(randomBytes(4).readUInt32BE(0));
  if (scheme === "mailto") return `<${randomBytes(12).toString("hex")}@mail.example.net>`;
  return `SM${randomBytes(16).toString("hex")}`;
}

export class Story {
  private readonly sessions = new Map<MemberKey, string>();
  private readonly users = new Map<MemberKey, string>();
  private readonly topics = new Map<TopicName, string>();
  private readonly teams = new Map<string, string>();
  private botToken = "";
  private supportBotId = "";
  private tickets = 0;
  private contacts = 0;

  constructor(
    private readonly api: Api,
    private readonly clock: StoryClock,
    private readonly mailbox: DemoMailbox,
    private readonly workspaceId: string,
    adminToken: string,
    adminUserId: string,
    generalTopicId: string,
  ) {
    this.sessions.set("grace", adminToken);
    this.users.set("grace", adminUserId);
    this.topics.set("General", generalTopicId);
  }

  /** Plays the whole story; the clock is stopped at its end. */
  async play(): Promise<Cast> {
    await this.clock.beat(parseAgo(SETUP_AT));
    await this.furnish();
    const beats: Array<{ ago: number; run: () => Promise<void> }> = [{ ago: parseAgo(TRIGGER_AT), run: () => this.setUpSurvey() }];
    for (const scene of scenes(this.clock.now)) {
      const state: SceneState = {};
      const first = parseAgo(scene.beats[0].at);
      beats.push({ ago: scene.known ? parseAgo(scene.known) : first + 60_000, run: () => this.meet(scene, state) });
      for (const beat of scene.beats) beats.push({ ago: parseAgo(beat.at), run: () => this.playBeat(scene, state, beat) });
    }
    // Older first; beats at the same time keep the order they are written in.
    const ordered = beats.map((b, i) => ({ ...b, i })).sort((a, b) => b.ago - a.ago || a.i - b.i);
    for (const beat of ordered) {
      await this.clock.beat(beat.ago);
      await beat.run();
    }
    await this.clock.stop();
    return {
      workspaceId: this.workspaceId,
      users: this.users,
      topics: this.topics,
      teams: this.teams,
      supportBotId: this.supportBotId,
      tickets: this.tickets,
      contacts: this.contacts,
    };
  }

  /** Logs the members' sessions of the story out (the administrator's is the caller's). */
  /** The agents' permissions the cast gives them, set by Grace once the week is played. */
  async applyPermissions(): Promise<void> {
    const grace = this.as("grace");
    const { members } = await this.api.call<{ members: Array<{ id: string; user: { id: string } }> }>(
      `{ members(first: 100) { id user { id } } }`,
      {},
      grace,
    );
    for (const member of MEMBERS) {
      if (!member.permissions) continue;
      const id = members.find((m) => m.user.id === this.users.get(member.key))?.id;
      if (!id) throw new Error(`no membership for ${member.key}`);
      await this.api.mutate(q.updateMember, { i: { id, ...member.permissions } }, grace);
    }
  }

  async logOut(): Promise<void> {
    for (const [key, token] of this.sessions) if (key !== "grace") await this.api.call(`mutation { logOut }`, {}, token);
  }

  private as(key: MemberKey): string {
    const token = this.sessions.get(key);
    if (!token) throw new Error(`${key} has no session`);
    return token;
  }

  private topicId(name: TopicName): string {
    const id = this.topics.get(name);
    if (!id) throw new Error(`no topic ${name}`);
    return id;
  }

  /** Topics, teams, the members (by invitation), contact fields, shortcuts, the bot and its token. */
  private async furnish(): Promise<void> {
    const grace = this.as("grace");
    for (const name of TOPICS) {
      const { topic } = await this.api.mutate<{ topic: { id: string } }>(q.createTopic, { i: { name } }, grace);
      this.topics.set(name, topic.id);
    }
    for (const team of TEAMS) {
      const input =
        team.topics === "all"
          ? { name: team.name, allTopics: true }
          : { name: team.name, topicIds: team.topics.map((t) => this.topicId(t)) };
      const created = await this.api.mutate<{ team: { id: string } }>(q.createTeam, { i: input }, grace);
      this.teams.set(team.name, created.team.id);
    }
    for (const member of MEMBERS.filter((m) => m.key !== "grace")) {
      const teamId = member.team ? this.teams.get(member.team) : undefined;
      await this.api.mutate(q.invite, { i: { email: member.email, role: member.role, teamId } }, grace);
      const joined = await this.api.mutate<{ token: string; viewer: { user: { id: string } } }>(
        q.accept,
        { i: { token: this.mailbox.tokenFor(member.email), name: member.name, password: DEMO_PASSWORD } },
        "",
      );
      this.sessions.set(member.key, joined.token);
      this.users.set(member.key, joined.viewer.user.id);
    }
    const eve = this.as("eve");
    for (const field of FIELDS) {
      const input = {
        name: field.name,
        type: field.type,
        agentAccess: field.agentAccess,
        featured: field.featured !== undefined,
        priority: field.featured ?? 0,
      };
      await this.api.mutate(q.createField, { i: input }, eve);
    }
    for (const shortcut of SHORTCUTS) await this.api.mutate(q.createShortcut, { i: shortcut }, eve);
    const bot = await this.api.mutate<{ flow: { id: string } }>(q.registerFlow, { i: SUPPORT_BOT }, grace);
    this.supportBotId = bot.flow.id;
    const token = await this.api.mutate<{ token: string }>(q.createApiToken, { i: { name: "Support bot and channel connector" } }, grace);
    this.botToken = token.token;
  }

  /** Eve connects the satisfaction survey: from now on every close asks the flow engine to start it. */
  private async setUpSurvey(): Promise<void> {
    const eve = this.as("eve");
    await this.api.mutate(q.registerFlow, { i: SURVEY }, eve);
    await this.api.mutate(q.createTrigger, { i: { type: "TICKET_CLOSED", flowExternalId: SURVEY.externalId } }, eve);
  }

  /** The contact becomes known: imported by Eve with their CRM fields, or created by the connector as they write in. */
  private async meet(scene: Scene, state: SceneState): Promise<void> {
    const by = scene.known ? this.as("eve") : this.botToken;
    const { contact } = await this.api.mutate<{ contact: { id: string } }>(
      q.createContact,
      { i: { name: scene.name, language: scene.language, urns: scene.urns } },
      by,
    );
    state.contactId = contact.id;
    this.contacts += 1;
    if (scene.fields) await this.setFields(state, "eve", scene.fields);
  }

  private async setFields(state: SceneState, by: MemberKey, values: Record<string, string>): Promise<void> {
    const input = { contactId: state.contactId, values: Object.entries(values).map(([key, value]) => ({ key, value })) };
    await this.api.mutate(q.setFields, { i: input }, this.as(by));
  }

  private ticket(scene: Scene, state: SceneState): string {
    if (!state.ticketId) throw new Error(`${scene.name} has no ticket yet`);
    return state.ticketId;
  }

  private async playBeat(scene: Scene, state: SceneState, beat: Beat): Promise<void> {
    switch (beat.do) {
      case "in": {
        const urn = scene.urns[beat.urn ?? 0];
        await this.api.mutate(
          q.receive,
          { i: { urn, text: beat.text, attachments: beat.attachments, externalId: externalId(urn) } },
          this.botToken,
        );
        state.lastUrn = urn;
        return;
      }
      case "open": {
        const common = { topicId: this.topicId(beat.topic), note: beat.note };
        const input =
          beat.by === "bot"
            ? {
                ...common,
                contactUrn: state.lastUrn ?? scene.urns[0],
                flowExternalId: SUPPORT_BOT.externalId,
                assigneeEmail: beat.assignTo && MEMBERS.find((m) => m.key === beat.assignTo)?.email,
                results: beat.results,
                idempotencyKey: `run-${randomBytes(4).toString("hex")}/escalate`,
              }
            : { ...common, contactId: state.contactId, assigneeId: beat.assignTo && this.users.get(beat.assignTo) };
        const opened = await this.api.mutate<{ ticket: { id: string }; warnings: string[] }>(
          q.open,
          { i: input },
          beat.by === "bot" ? this.botToken : this.as(beat.by),
        );
        // A warning means the story's note template or assignee no longer fits the product.
        if (opened.warnings.length > 0) throw new Error(`opening ${scene.name}'s ticket warned: ${opened.warnings.join("; ")}`);
        state.ticketId = opened.ticket.id;
        this.tickets += 1;
        return;
      }
      case "assign":
        await this.api.mutate(
          q.assign,
          { i: { ticketIds: [this.ticket(scene, state)], assigneeId: this.users.get(beat.to) } },
          this.as(beat.by),
        );
        return;
      case "reply": {
        const { message } = await this.api.mutate<{ message: { id: string } }>(
          q.send,
          { i: { ticketId: this.ticket(scene, state), text: beat.text } },
          this.as(beat.by),
        );
        const delivery = beat.delivery ?? "DELIVERED";
        if (delivery !== "QUEUED") await this.api.mutate(q.status, { i: { id: message.id, status: delivery } }, this.botToken);
        return;
      }
      case "note":
        await this.api.mutate(q.note, { i: { ticketIds: [this.ticket(scene, state)], note: beat.text } }, this.as(beat.by));
        return;
      case "move":
        await this.api.mutate(
          q.move,
          { i: { ticketIds: [this.ticket(scene, state)], topicId: this.topicId(beat.topic) } },
          this.as(beat.by),
        );
        return;
      case "close":
        await this.api.mutate(q.close, { i: { ticketIds: [this.ticket(scene, state)] } }, this.as(beat.by));
        return;
      case "reopen":
        await this.api.mutate(q.reopen, { i: { ticketIds: [this.ticket(scene, state)] } }, this.as(beat.by));
        return;
      case "notepad":
        await this.api.mutate(q.notepad, { i: { contactId: state.contactId, text: beat.text } }, this.as(beat.by));
        return;
      case "fields":
        await this.setFields(state, beat.by, beat.values);
        return;
    }
  }
}
