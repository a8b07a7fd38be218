/**
 * Fills a demo workspace that shows every feature, as a story of the last week at an online
 * shop's support desk, played through the GraphQL API of a server started in this process:
 * members with each role, teams limited to topics, contact fields of each type and access, a
 * notepad with history, shortcuts, the support bot and a closing trigger with its flow starts,
 * tickets in every state with conversations in five languages, a pending invitation, and the
 * administrator's finished export of the whole inbox.
 *
 *   npm run seed:demo                                        # the story (a few seconds)
 *   npm run seed:demo -- --tickets 1000000 --contacts 200000 # the story plus bulk volume
 *   npm run seed:demo -- --workspace "Second demo"           # another demo workspace, same logins
 *
 * Uses DATABASE_URL, else the embedded database under DATA_DIR (stop the server first).
 * Running it again changes nothing: a workspace already seeded under that name is left as it
 * is, and its logins are checked and printed again.
 */
import "reflect-metadata";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { loadConfig } from "../src/config";
import { startServer } from "../src/server";
import { Api, uuidOf } from "./demo/api";
import { seedBulk, MAX_BULK_CONTACTS } from "./demo/bulk";
import { DEMO_PASSWORD, MEMBERS, PENDING_INVITATION, TEAMS, TOPICS, type MemberKey, type TopicName } from "./demo/cast";
import { StoryClock } from "./demo/clock";
import { checkLogins, loginTable } from "./demo/logins";
import { DemoMailbox } from "./demo/mailbox";
import { parseAgo, TRIGGER_AT } from "./demo/scenes";
import { seedExport } from "./demo/export";
import { seedStatisticsAndNotifications } from "./demo/statistics-and-notifications";
import { Story, type Cast } from "./demo/story";

interface Options {
  tickets: number;
  contacts: number;
  workspace: string;
  batch: number;
}

/** A workspace being seeded carries this until the seed has finished: then it takes its name. */
const SEEDING = " (being seeded)";

function parseArgs(argv: string[]): Options {
  const options: Options = { tickets: 0, contacts: -1, workspace: "Demo Helpdesk", batch: 20_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const number = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number`);
      i++;
      return n;
    };
    if (flag === "--tickets") options.tickets = number();
    else if (flag === "--contacts") options.contacts = number();
    else if (flag === "--batch") options.batch = Math.max(1000, number());
    else if (flag === "--workspace") {
      if (!value?.trim() || value.trim().length + SEEDING.length > 64)
        throw new Error(`--workspace needs a name of 1 to ${64 - SEEDING.length} characters`);
      options.workspace = value.trim();
      i++;
    } else throw new Error(`unknown option ${flag} (use --tickets N, --contacts N, --workspace NAME)`);
  }
  if (options.contacts < 0) options.contacts = options.tickets > 0 ? Math.max(10, Math.ceil(options.tickets / 2.5)) : 0;
  if (options.tickets > 0 && options.contacts === 0) throw new Error("--tickets needs --contacts above 0");
  if (options.contacts > MAX_BULK_CONTACTS) throw new Error(`--contacts is at most ${MAX_BULK_CONTACTS}`);
  return options;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const LOG_IN = `mutation($i: LogInInput!) { logIn(input: $i) {
  token viewer { user { id } workspace { id name } workspaces { id name } } userErrors { code } } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) {
  token viewer { user { id } workspace { id name } workspaces { id name } } userErrors { code message } } }`;

interface Session {
  token: string | null;
  viewer: { user: { id: string }; workspace: { id: string; name: string }; workspaces: Array<{ id: string; name: string }> } | null;
  userErrors: Array<{ code: string; message?: string }>;
}

/**
 * The demo administrator's session in the workspace to seed, or in the one already seeded. On a
 * brand-new database the server has just made the administrator and the workspace (its first
 * start); otherwise the administrator signs up, which for an existing account with this password
 * adds a workspace.
 */
async function demoWorkspace(
  api: Api,
  name: string,
  bootstrapped: boolean,
): Promise<{ token: string; userId: string; workspaceId: string; seeded: boolean; interrupted: number }> {
  const admin = MEMBERS[0];
  const { logIn } = await api.call<{ logIn: Session }>(LOG_IN, { i: { email: admin.email, password: DEMO_PASSWORD } });
  if (logIn.token && logIn.viewer) {
    const done = logIn.viewer.workspaces.find((w) => w.name === name);
    const interrupted = logIn.viewer.workspaces.filter((w) => w.name === name + SEEDING).length;
    if (done || bootstrapped) {
      return {
        token: logIn.token,
        userId: logIn.viewer.user.id,
        workspaceId: done?.id ?? logIn.viewer.workspace.id,
        seeded: !!done,
        interrupted: 0,
      };
    }
    await api.call(`mutation { logOut }`, {}, logIn.token);
    const session = await signUp(api, name);
    return { ...session, seeded: false, interrupted };
  }
  return { ...(await signUp(api, name)), seeded: false, interrupted: 0 };
}

async function signUp(api: Api, name: string): Promise<{ token: string; userId: string; workspaceId: string }> {
  const admin = MEMBERS[0];
  const { signUp } = await api.call<{ signUp: Session }>(SIGN_UP, {
    i: { email: admin.email, password: DEMO_PASSWORD, name: admin.name, workspaceName: name + SEEDING },
  });
  if (!signUp.token || !signUp.viewer) {
    throw new Error(
      signUp.userErrors[0]?.code === "EMAIL_TAKEN"
        ? `${admin.email} already has an account here with another password than ${DEMO_PASSWORD}: seed another database`
        : `signUp failed: ${JSON.stringify(signUp.userErrors)}`,
    );
  }
  return { token: signUp.token, userId: signUp.viewer.user.id, workspaceId: signUp.viewer.workspace.id };
}

/** For the bulk volume: per topic, the members who can see it (every role but team agents outside it). */
function visibility(cast: Cast): { topics: string[]; canSee: string[][] } {
  const names: TopicName[] = ["General", ...TOPICS];
  const member = (key: MemberKey) => uuidOf(cast.users.get(key) ?? "");
  const canSee = names.map((topic) =>
    MEMBERS.filter((m) => {
      const team = TEAMS.find((t) => t.name === m.team);
      return !team || team.topics === "all" || team.topics.includes(topic);
    }).map((m) => member(m.key)),
  );
  return { topics: names.map((t) => uuidOf(cast.topics.get(t) ?? "")), canSee };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const env = process.env;
  let bootstrapped = false;
  const config = loadConfig({
    ...env,
    // The seed's own server: on loopback, for this process only.
    PORT: "0",
    HOST: "127.0.0.1",
    PUBLIC_URL: env.PUBLIC_URL?.trim() || `http://localhost:${env.PORT?.trim() || 4000}`,
    DB_POOL_SIZE: "4",
    REDIS_URL: undefined,
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_SECOND: "0",
    LOGIN_MAX_FAILURES: "1000",
    SIGNUP_DISABLED: "false",
    // On a brand-new database, the server's first administrator is the demo's.
    HANDOVER_ADMIN_EMAIL: MEMBERS[0].email,
    HANDOVER_ADMIN_PASSWORD: DEMO_PASSWORD,
    HANDOVER_WORKSPACE_NAME: options.workspace + SEEDING,
  });
  const log = pino({ level: config.logLevel }, pino.destination(2));
  const mailbox = new DemoMailbox(path.join(config.dataDir, "mail"), config.mailFrom, log);
  const server = await startServer(config, { log, mailer: mailbox, announce: () => (bootstrapped = true) });
  const ready = Date.now();
  const databaseUrl = config.databaseDirectUrl ?? config.databaseUrl ?? (server.db.options as { url?: string }).url;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const api = new Api(server.url);
    const ws = await demoWorkspace(api, options.workspace, bootstrapped);
    const wsUuid = uuidOf(ws.workspaceId);
    if (ws.seeded) {
      console.log(`Workspace "${options.workspace}" is already seeded: nothing changed. (--workspace NAME seeds another one.)`);
    } else {
      if (bootstrapped) await db.query(`UPDATE users SET name = $2 WHERE email = $1`, [MEMBERS[0].email, MEMBERS[0].name]);
      if (ws.interrupted > 0)
        console.log(`An earlier run stopped half-way: its workspace "${options.workspace}${SEEDING}" is left as it is.`);
      const { topics } = await api.call<{ topics: Array<{ id: string; isSystem: boolean }> }>(`{ topics { id isSystem } }`, {}, ws.token);
      const general = topics.find((t) => t.isSystem)?.id ?? "";
      const clock = new StoryClock(db, Date.now());
      const story = new Story(api, clock, mailbox, ws.workspaceId, ws.token, ws.userId, general);
      const cast = await story.play();
      await clock.apply(wsUuid);
      await story.applyPermissions();
      await story.logOut();
      console.log(
        `Story: ${cast.tickets} tickets of ${cast.contacts} contacts (${seconds(ready)}; the server started in ${((ready - started) / 1000).toFixed(1)} s)`,
      );

      if (options.contacts > 0) {
        const bulkStarted = Date.now();
        const { topics: topicIds, canSee } = visibility(cast);
        await seedBulk(
          db,
          {
            workspaceId: wsUuid,
            topics: topicIds,
            canSee,
            adminId: uuidOf(ws.userId),
            supportBotId: uuidOf(cast.supportBotId),
            until: clock.now - parseAgo(TRIGGER_AT) - 24 * 3600_000,
          },
          options,
        );
        console.log(`Bulk volume: ${options.tickets} tickets of ${options.contacts} contacts (${seconds(bulkStarted)})`);
        // Before anything reads them: without statistics, the planner takes a million rows for a few
        // hundred, and each page of the export below read and sorted the whole workspace.
        await db.query("ANALYZE");
      }
      await seedStatisticsAndNotifications(db, server.db, wsUuid, [
        uuidOf(cast.users.get("grace") ?? ""),
        uuidOf(cast.users.get("eve") ?? ""),
      ]);
      const exportStarted = Date.now();
      const exported = await seedExport(api, ws.token);
      console.log(
        `Export: ${exported.rowCount} tickets in ${path.join(config.exportDir, `${uuidOf(exported.id)}.csv`)} (${seconds(exportStarted)})`,
      );

      const pendingFile = await mailbox.keepAsFile(async () => {
        const team = cast.teams.get(PENDING_INVITATION.team);
        await api.mutate(
          `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code message } } }`,
          { i: { email: PENDING_INVITATION.email, role: PENDING_INVITATION.role, teamId: team } },
          ws.token,
        );
      });
      if (pendingFile) console.log(`The pending invitation's email: ${pendingFile}`);
      // Done: the workspace takes its name, which is how a later run knows it is complete.
      await db.query(`UPDATE workspaces SET name = $2 WHERE id = $1`, [wsUuid, options.workspace]);
      await db.query("ANALYZE");
    }

    const { logins, pending } = await checkLogins(api, ws.token, ws.workspaceId);
    await api.call(`mutation { logOut }`, {}, ws.token);
    const [{ tickets, contacts }] = (
      await db.query<{ tickets: number; contacts: number }>(
        `SELECT (SELECT count(*)::int FROM tickets WHERE workspace_id = $1) AS tickets,
                (SELECT count(*)::int FROM contacts WHERE workspace_id = $1) AS contacts`,
        [wsUuid],
      )
    ).rows;
    console.log(`\nWorkspace "${options.workspace}": ${tickets} tickets, ${contacts} contacts (${seconds(started)}).\n`);
    console.log(loginTable(logins));
    for (const p of pending) console.log(`\nPending invitation: ${p.email} (${p.role}${p.team ? `, ${p.team}` : ""})`);
    console.log(
      `\nStart the server (npm start, with the same ${config.databaseUrl ? "DATABASE_URL" : "DATA_DIR"}) and log in as any of them.`,
    );
  } finally {
    await db.end();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
