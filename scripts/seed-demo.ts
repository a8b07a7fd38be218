/**
 * Fills a new workspace with demo data: topics, members, contacts, tickets in every state,
 * messages and notes, with consistent events and counts.
 *
 *   npm run seed:demo                       # 500 tickets, 200 contacts
 *   npm run seed:demo -- --tickets 1000000 --contacts 200000
 *
 * Uses DATABASE_URL, else the embedded database under DATA_DIR (stop the server first).
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { hashPassword } from "../src/auth/password";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../src/db/embedded";
import { migrate, withMigrationLock } from "../src/db/migrate";
import { createDataSource } from "../ormconfig";

interface Options {
  tickets: number;
  contacts: number;
  workspace: string;
  batch: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { tickets: 500, contacts: 0, workspace: "Demo Helpdesk", batch: 20_000 };
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
      options.workspace = value;
      i++;
    } else throw new Error(`unknown option ${flag} (use --tickets N, --contacts N, --workspace NAME)`);
  }
  if (options.contacts === 0) options.contacts = Math.max(10, Math.ceil(options.tickets / 2.5));
  return options;
}

function progress(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  process.stdout.write(`\r${label.padEnd(9)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${rate}/s   `);
  if (done >= total) process.stdout.write("\n");
}

const TOPICS = ["Sales", "Support", "Billing", "Returns"];
const AGENTS = ["Amina", "Bruno", "Chloé", "Dmitri"];
const PHRASES = [
  "Hello, my order has not arrived yet",
  "Can I change my delivery address?",
  "The payment failed twice",
  "I would like a refund please",
  "How do I reset my password?",
  "Is the shop open on Sunday?",
  "The product arrived damaged",
  "Thank you for your help!",
];

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir: `${process.env.DATA_DIR ?? "data"}/pglite`, maxConnections: 4 });
    url = embedded.url;
  }
  const ds = createDataSource({ url, poolSize: 2 });
  await ds.initialize();
  await withMigrationLock(ds, () => migrate(ds));
  await ds.destroy();

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const ws = randomUUID();
    const password = "demo-password";
    const hash = await hashPassword(password);
    const [{ n: taken }] = (await db.query(`SELECT count(*)::int AS n FROM users WHERE email LIKE 'demo%@example.com'`)).rows;
    const suffix = taken > 0 ? String(taken + 1) : "";
    const adminEmail = `demo${suffix}@example.com`;
    await db.query("BEGIN");
    await db.query(`INSERT INTO workspaces (id, name) VALUES ($1, $2)`, [ws, options.workspace]);
    const people: Array<{ id: string; email: string; name: string; role: string }> = [
      { id: randomUUID(), email: adminEmail, name: "Demo Admin", role: "ADMINISTRATOR" },
      { id: randomUUID(), email: `editor${suffix}@demo.example.com`, name: "Eve Editor", role: "EDITOR" },
      ...AGENTS.map((name) => ({
        id: randomUUID(),
        email: `${name
          .toLowerCase()
          .normalize("NFD")
          .replace(/[^a-z]/g, "")}${suffix}@demo.example.com`,
        name,
        role: "AGENT",
      })),
    ];
    for (const p of people) {
      await db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)`, [p.id, p.email, p.name, hash]);
      await db.query(`INSERT INTO memberships (id, workspace_id, user_id, role) VALUES ($1, $2, $3, $4)`, [randomUUID(), ws, p.id, p.role]);
    }
    const topicIds = [randomUUID(), ...TOPICS.map(() => randomUUID())];
    await db.query(`INSERT INTO topics (id, workspace_id, name, is_system) VALUES ($1, $2, 'General', true)`, [topicIds[0], ws]);
    for (const [i, name] of TOPICS.entries()) {
      await db.query(`INSERT INTO topics (id, workspace_id, name) VALUES ($1, $2, $3)`, [topicIds[i + 1], ws, name]);
    }
    await db.query(`INSERT INTO contact_groups (id, workspace_id, name, is_system) VALUES ($1, $2, 'Open Tickets', true)`, [
      randomUUID(),
      ws,
    ]);
    const flowId = randomUUID();
    await db.query(`INSERT INTO flows (id, workspace_id, name, external_id) VALUES ($1, $2, 'Support bot', 'demo-support-bot')`, [
      flowId,
      ws,
    ]);
    await db.query("COMMIT");

    const agentIds = people.filter((p) => p.role !== "EDITOR").map((p) => p.id);
    const started = Date.now();
    for (let from = 1; from <= options.contacts; from += options.batch) {
      const to = Math.min(options.contacts, from + options.batch - 1);
      await db.query(
        `WITH c AS (
           INSERT INTO contacts (id, workspace_id, name, language, created_at)
           SELECT gen_random_uuid(), $1, 'Contact ' || i, CASE WHEN i % 3 = 0 THEN 'fra' ELSE 'eng' END,
                  now() - (($4 - i) * interval '1 minute')
             FROM generate_series($2::int, $3::int) AS i
           RETURNING id, name
         )
         INSERT INTO contact_urns (id, workspace_id, contact_id, urn, priority)
         SELECT gen_random_uuid(), $1, c.id, 'tel:+25078' || lpad(substr(c.name, 9), 7, '0'), 0 FROM c`,
        [ws, from, to, options.contacts],
      );
      progress("contacts", to, options.contacts, started);
    }
    // Contacts in creation order, so ticket i belongs to contact (i mod C).
    await db.query(
      `CREATE TEMP TABLE seed_contacts AS SELECT row_number() OVER (ORDER BY created_at, id) - 1 AS n, id, (SELECT urn FROM contact_urns u WHERE u.contact_id = c.id) AS urn FROM contacts c WHERE workspace_id = $1`,
      [ws],
    );
    await db.query(`CREATE INDEX ON seed_contacts (n)`);

    const ticketsStarted = Date.now();
    const span = 90 * 24 * 3600; // opened over the last 90 days
    for (let from = 1; from <= options.tickets; from += options.batch) {
      const to = Math.min(options.tickets, from + options.batch - 1);
      await db.query("BEGIN");
      // Only a contact's last ticket can be open, so each contact has at most one.
      await db.query(
        `CREATE TEMP TABLE batch ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS id, sc.id AS contact_id, sc.urn,
                ($4::uuid[])[1 + abs(hashint4(i)) % array_length($4::uuid[], 1)] AS topic_id,
                CASE WHEN abs(hashint4(i + 7)) % 10 < 6 THEN ($5::uuid[])[1 + abs(hashint4(i + 3)) % array_length($5::uuid[], 1)] END AS assignee_id,
                CASE WHEN i > $3 - $6 AND abs(hashint4(i + 1)) % 10 < 4 THEN 'OPEN' ELSE 'CLOSED' END AS status,
                abs(hashint4(i + 5)) % 10 < 7 AS replied,
                abs(hashint4(i + 9)) % 10 < 3 AS with_note,
                now() - (($3 - i)::float8 / $3 * $7) * interval '1 second' AS opened_at,
                gen_random_uuid() AS in_id, gen_random_uuid() AS out_id
           FROM generate_series($1::int, $2::int) AS i
           JOIN seed_contacts sc ON sc.n = i % $6`,
        [from, to, options.tickets, topicIds, agentIds, options.contacts, span],
      );
      await db.query(
        `INSERT INTO messages (id, workspace_id, contact_id, direction, urn, text, status, created_at)
         SELECT in_id, $1, contact_id, 'INCOMING', urn, ($2::text[])[1 + i % array_length($2::text[], 1)], 'RECEIVED', opened_at - interval '1 minute' FROM batch`,
        [ws, PHRASES],
      );
      await db.query(
        `INSERT INTO messages (id, workspace_id, contact_id, direction, urn, text, status, author_id, created_at)
         SELECT out_id, $1, contact_id, 'OUTGOING', urn, 'Thanks for writing, we are on it.', 'DELIVERED', coalesce(assignee_id, $2), opened_at + interval '5 minutes'
           FROM batch WHERE replied`,
        [ws, people[0].id],
      );
      await db.query(
        `INSERT INTO tickets (id, workspace_id, contact_id, topic_id, assignee_id, status, opened_in_id, opened_at, replied_at, closed_at,
                              last_activity_at, version, last_message_id)
         SELECT id, $1, contact_id, topic_id, assignee_id, status, $2, opened_at,
                CASE WHEN replied THEN opened_at + interval '5 minutes' END,
                CASE WHEN status = 'CLOSED' THEN opened_at + interval '1 hour' END,
                CASE WHEN status = 'CLOSED' THEN opened_at + interval '1 hour' WHEN replied THEN opened_at + interval '5 minutes' ELSE opened_at END,
                2 + replied::int + (status = 'CLOSED')::int,
                CASE WHEN replied THEN out_id ELSE in_id END
           FROM batch`,
        [ws, flowId],
      );
      await db.query(`UPDATE messages m SET ticket_id = b.id FROM batch b WHERE m.id IN (b.in_id, b.out_id)`);
      await db.query(
        `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, actor_id, topic_id, assignee_id, note, message_id, created_at)
         SELECT gen_random_uuid(), $1::uuid, id, 1, 'OPENED', NULL::uuid, topic_id, assignee_id,
                CASE WHEN with_note THEN 'Escalated by the bot: customer asked for a human' END, NULL::uuid, opened_at FROM batch
         UNION ALL
         SELECT gen_random_uuid(), $1, id, 2, 'MESSAGE_RECEIVED', NULL, topic_id, NULL::uuid, NULL::text, in_id, opened_at FROM batch
         UNION ALL
         SELECT gen_random_uuid(), $1, id, 3, 'MESSAGE_SENT', coalesce(assignee_id, $2), topic_id, NULL, NULL, out_id, opened_at + interval '5 minutes'
           FROM batch WHERE replied
         UNION ALL
         SELECT gen_random_uuid(), $1, id, 3 + replied::int, 'CLOSED', coalesce(assignee_id, $2), topic_id, NULL, NULL, NULL, opened_at + interval '1 hour'
           FROM batch WHERE status = 'CLOSED'`,
        [ws, people[0].id],
      );
      await db.query("COMMIT");
      progress("tickets", to, options.tickets, ticketsStarted);
    }
    await db.query(
      `INSERT INTO ticket_count_deltas (workspace_id, status, topic_id, assignee_id, delta)
       SELECT workspace_id, status, topic_id, assignee_id, count(*) FROM tickets WHERE workspace_id = $1 GROUP BY 1, 2, 3, 4`,
      [ws],
    );
    await db.query("ANALYZE");
    console.log(`\nWorkspace "${options.workspace}": ${options.tickets} tickets, ${options.contacts} contacts.`);
    console.log(`Log in as ${adminEmail} (or an agent such as ${people[2].email}) with the password ${password}.`);
  } finally {
    await db.end();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
