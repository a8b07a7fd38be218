/**
 * Bulk volume for benchmarks and large demos (`--tickets N --contacts N`): plain SQL in batches,
 * much faster than the API, written with the same invariants the services keep: each ticket's
 * events numbered 1..version, at most one open ticket per contact (only a contact's last ticket
 * may be open), count deltas added in the same transaction as the tickets, assignees who can
 * see the ticket's topic. The contacts have names and URNs of every scheme, and the messages
 * are in their language.
 *
 * It is the workspace's history before the story: tickets opened over 90 days that end a day
 * before the story's first beat. So the inbox opens on the story, and no flow start is missing:
 * the closing trigger did not exist yet when these tickets were closed.
 */
import type pg from "pg";

export interface BulkOptions {
  tickets: number;
  contacts: number;
  batch: number;
  /** No progress bar on the terminal (a test's seed). */
  quiet?: boolean;
}

export interface BulkCast {
  workspaceId: string;
  /** uuids of the topics, General included. */
  topics: string[];
  /** Per topic (same order): the uuids of the members who can see it. */
  canSee: string[][];
  /** Replies to and closes unassigned tickets. */
  adminId: string;
  supportBotId: string;
  /** The bulk volume's tickets end here (ms). */
  until: number;
}

const LANGUAGES = ["eng", "fra", "spa", "kin", "swa"] as const;

/** 12 first names and 12 last names per language, in LANGUAGES order. */
const FIRST_NAMES = [
  ["James", "Olivia", "Daniel", "Grace", "Michael", "Sophie", "Samuel", "Hannah", "Thomas", "Chloe", "Jack", "Emma"],
  ["Camille", "Lucas", "Léa", "Hugo", "Manon", "Louis", "Chloé", "Jules", "Inès", "Nathan", "Sarah", "Théo"],
  ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Valeria", "Daniel", "Paula", "Alejandro", "Carmen", "Pablo"],
  ["Jean Bosco", "Claudine", "Emmanuel", "Diane", "Olivier", "Aline", "Patrick", "Josiane", "Eric", "Clarisse", "Innocent", "Vestine"],
  ["Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Amani", "Baraka", "Zawadi", "Juma", "Neema", "Omondi"],
];
const LAST_NAMES = [
  ["Smith", "Johnson", "Taylor", "Brown", "Wilson", "Davies", "Evans", "Walker", "Hughes", "Clarke", "Wright", "Hall"],
  ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent"],
  ["García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz"],
  [
    "Uwimana",
    "Niyonzima",
    "Mukamana",
    "Habimana",
    "Uwase",
    "Nshimiyimana",
    "Mugisha",
    "Ingabire",
    "Hakizimana",
    "Umutoni",
    "Nkurunziza",
    "Iradukunda",
  ],
  ["Kamau", "Otieno", "Wanjiku", "Mwangi", "Odhiambo", "Njoroge", "Kiprop", "Mutua", "Ochieng", "Wafula", "Chebet", "Kariuki"],
];
/**
 * Phone numbers per language: country prefix and the digits the contact's number fills. The
 * prefixes differ from the story's numbers, so bulk contacts never take a story contact's URN.
 */
const PHONES = [
  { prefix: "447", digits: 9 },
  { prefix: "337", digits: 8 },
  { prefix: "347", digits: 8 },
  { prefix: "25073", digits: 7 },
  { prefix: "25470", digits: 7 },
];
export const MAX_BULK_CONTACTS = 9_999_999;

/** 6 per language: what customers write. */
const INCOMING = [
  [
    "Hi, my order hasn't arrived yet. Can you check where it is?",
    "Can I change the delivery address for my order?",
    "My card payment failed twice, what should I do?",
    "I'd like a refund for the item I sent back last week.",
    "I can't log into my account, the password reset link doesn't work.",
    "The product arrived damaged. What are my options?",
  ],
  [
    "Bonjour, ma commande n'est toujours pas arrivée. Pouvez-vous vérifier ?",
    "Est-il possible de modifier l'adresse de livraison ?",
    "Mon paiement par carte a été refusé deux fois.",
    "Je souhaite être remboursé pour l'article que j'ai renvoyé.",
    "Je n'arrive plus à me connecter à mon compte.",
    "Le produit est arrivé abîmé. Que puis-je faire ?",
  ],
  [
    "Hola, mi pedido todavía no ha llegado. ¿Pueden revisarlo?",
    "¿Puedo cambiar la dirección de entrega de mi pedido?",
    "El pago con tarjeta ha fallado dos veces.",
    "Quisiera el reembolso del artículo que devolví la semana pasada.",
    "No puedo entrar en mi cuenta, el enlace para cambiar la contraseña no funciona.",
    "El producto llegó dañado. ¿Qué puedo hacer?",
  ],
  [
    "Muraho, ibyo natumije ntibiragera. Mwandebera aho bigeze?",
    "Nshobora guhindura aderesi yo kunzanira ibicuruzwa?",
    "Kwishyura byanze inshuro ebyiri.",
    "Ndashaka gusubizwa amafaranga y'igicuruzwa nagaruye.",
    "Sinshobora kwinjira muri konti yanjye.",
    "Igicuruzwa cyangezeho cyangiritse. Nakora iki?",
  ],
  [
    "Habari, oda yangu bado haijafika. Mnaweza kuangalia iko wapi?",
    "Naweza kubadilisha anwani ya kuletewa mzigo?",
    "Malipo yangu kwa kadi yamekataliwa mara mbili.",
    "Naomba kurudishiwa pesa za bidhaa niliyorudisha wiki iliyopita.",
    "Siwezi kuingia kwenye akaunti yangu.",
    "Bidhaa imefika ikiwa imeharibika. Nifanye nini?",
  ],
];
/** 3 per language: the agents' replies. */
const REPLIES = [
  [
    "Thanks for writing! I'm checking this with our team now.",
    "Sorry for the trouble: it's sorted, you'll get a confirmation by email.",
    "I've passed this on to the courier and will update you today.",
  ],
  [
    "Merci pour votre message ! Je vérifie cela avec l'équipe.",
    "Désolé pour ce souci : c'est réglé, vous recevrez une confirmation par e-mail.",
    "J'ai transmis votre demande au transporteur, je reviens vers vous aujourd'hui.",
  ],
  [
    "¡Gracias por escribirnos! Lo estoy revisando con el equipo.",
    "Perdone las molestias: ya está resuelto, recibirá una confirmación por correo.",
    "He pasado su consulta al transportista y le escribo hoy mismo.",
  ],
  ["Murakoze kutwandikira! Ndimo kubikurikirana.", "Mutwihanganire, ikibazo cyakemutse.", "Ndabasubiza uyu munsi."],
  [
    "Asante kwa kutuandikia! Ninashughulikia sasa hivi.",
    "Samahani kwa usumbufu: tatizo limetatuliwa, utapokea uthibitisho kwa barua pepe.",
    "Nimewasiliana na msafirishaji, nitakujulisha leo.",
  ],
];
const NOTES = [
  "Escalated by the support bot: the customer asked for a person.",
  "Bot summary: order question, the customer has been waiting since this morning.",
  "The customer already wrote twice about this.",
];

/** Lower-case ASCII for email addresses: "Léa" → "lea", "Jean Bosco" → "jeanbosco". */
const slug = (name: string): string =>
  name
    .normalize("NFD")
    .toLowerCase()
    .replace(/[^a-z]/g, "");

function progress(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  process.stdout.write(`\r${label.padEnd(9)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${rate}/s   `);
  if (done >= total) process.stdout.write("\n");
}

export async function seedBulk(db: pg.Client, cast: BulkCast, options: BulkOptions): Promise<void> {
  if (options.contacts > MAX_BULK_CONTACTS) throw new Error(`--contacts is at most ${MAX_BULK_CONTACTS}`);
  const ws = cast.workspaceId;
  const flat = (lists: string[][]) => lists.flat();
  const span = 90 * 24 * 3600; // tickets opened over 90 days, in seconds
  const until = new Date(cast.until);

  // Contacts: name, language and one URN each, their scheme turning tel, whatsapp, telegram, mailto.
  await db.query(`DROP TABLE IF EXISTS seed_contacts`);
  await db.query(`CREATE TEMP TABLE seed_contacts (n int PRIMARY KEY, id uuid NOT NULL, urn text NOT NULL, lang int NOT NULL)`);
  const started = Date.now();
  for (let from = 1; from <= options.contacts; from += options.batch) {
    const to = Math.min(options.contacts, from + options.batch - 1);
    await db.query(
      `WITH g AS (
         SELECT i, gen_random_uuid() AS id, i % 5 AS lang, abs(hashint4(i)) % 12 AS f, abs(hashint4(i + 1)) % 12 AS l,
                abs(hashint4(i + 2)) % 4 AS scheme,
                ($6::text[])[1 + i % 5] || lpad(i::text, ($7::int[])[1 + i % 5], '0') AS phone
           FROM generate_series($2::int, $3::int) AS i
       ), named AS (
         SELECT g.*, ($8::text[])[1 + lang * 12 + f] || ' ' || ($9::text[])[1 + lang * 12 + l] AS name,
                CASE scheme
                  WHEN 0 THEN 'tel:+' || phone
                  WHEN 1 THEN 'whatsapp:' || phone
                  WHEN 2 THEN 'telegram:' || (6000000000 + i)::text
                  ELSE 'mailto:' || ($10::text[])[1 + lang * 12 + f] || '.' || ($11::text[])[1 + lang * 12 + l] || '.' || i || '@example.org'
                END AS urn
           FROM g
       ), c AS (
         INSERT INTO contacts (id, workspace_id, name, language, created_at)
         SELECT id, $1, name, ($5::text[])[1 + lang], $12::timestamptz - interval '90 days' - (($4 - i)::float8 / $4) * interval '180 days'
           FROM named
       ), u AS (
         INSERT INTO contact_urns (id, workspace_id, contact_id, urn, priority) SELECT gen_random_uuid(), $1, id, urn, 0 FROM named
       )
       INSERT INTO seed_contacts (n, id, urn, lang) SELECT i - 1, id, urn, lang FROM named`,
      [
        ws,
        from,
        to,
        options.contacts,
        LANGUAGES,
        PHONES.map((p) => p.prefix),
        PHONES.map((p) => p.digits),
        flat(FIRST_NAMES),
        flat(LAST_NAMES),
        flat(FIRST_NAMES).map(slug),
        flat(LAST_NAMES).map(slug),
        until,
      ],
    );
    if (!options.quiet) progress("contacts", to, options.contacts, started);
  }

  // Who may be assigned a ticket of which topic: pairs (topic, member who can see it).
  const slotTopics: string[] = [];
  const slotAssignees: string[] = [];
  cast.topics.forEach((topic, t) => {
    for (const member of cast.canSee[t]) {
      slotTopics.push(topic);
      slotAssignees.push(member);
    }
  });

  const ticketsStarted = Date.now();
  for (let from = 1; from <= options.tickets; from += options.batch) {
    const to = Math.min(options.tickets, from + options.batch - 1);
    await db.query("BEGIN");
    // Only a contact's last ticket can be open, so each contact has at most one.
    await db.query(
      `CREATE TEMP TABLE batch ON COMMIT DROP AS
       SELECT i, gen_random_uuid() AS id, sc.id AS contact_id, sc.urn, sc.lang, slot,
              ($4::uuid[])[slot] AS topic_id,
              CASE WHEN abs(hashint4(i + 7)) % 10 < 6 THEN ($5::uuid[])[slot] END AS assignee_id,
              CASE WHEN i > $3 - $6 AND abs(hashint4(i + 1)) % 10 < 4 THEN 'OPEN' ELSE 'CLOSED' END AS status,
              abs(hashint4(i + 5)) % 10 < 7 AS replied,
              abs(hashint4(i + 9)) % 10 < 3 AS with_note,
              $8::timestamptz - (($3 - i)::float8 / $3 * $7) * interval '1 second' AS opened_at,
              gen_random_uuid() AS in_id, gen_random_uuid() AS out_id
         FROM (SELECT i, 1 + abs(hashint4(i)) % array_length($4::uuid[], 1) AS slot FROM generate_series($1::int, $2::int) AS i) s
         JOIN seed_contacts sc ON sc.n = i % $6`,
      [from, to, options.tickets, slotTopics, slotAssignees, options.contacts, span, until],
    );
    // Tickets and their messages point at each other: one statement writes both, since its
    // foreign keys are checked at its end.
    await db.query(
      `WITH incoming AS (
         INSERT INTO messages (id, workspace_id, contact_id, ticket_id, direction, urn, text, status, created_at)
         SELECT in_id, $1, contact_id, id, 'INCOMING', urn, ($4::text[])[1 + lang * 6 + abs(hashint4(i + 11)) % 6], 'RECEIVED',
                opened_at - interval '1 minute'
           FROM batch
       ), outgoing AS (
         INSERT INTO messages (id, workspace_id, contact_id, ticket_id, direction, urn, text, status, author_id, created_at)
         SELECT out_id, $1, contact_id, id, 'OUTGOING', urn, ($5::text[])[1 + lang * 3 + abs(hashint4(i + 13)) % 3], 'DELIVERED',
                coalesce(assignee_id, $2), opened_at + interval '5 minutes'
           FROM batch WHERE replied
       )
       INSERT INTO tickets (id, workspace_id, contact_id, topic_id, assignee_id, status, opened_in_id, opened_at, replied_at, closed_at,
                            last_activity_at, version, last_message_id)
       SELECT id, $1, contact_id, topic_id, assignee_id, status, $3, opened_at,
              CASE WHEN replied THEN opened_at + interval '5 minutes' END,
              CASE WHEN status = 'CLOSED' THEN opened_at + interval '1 hour' END,
              CASE WHEN status = 'CLOSED' THEN opened_at + interval '1 hour' WHEN replied THEN opened_at + interval '5 minutes' ELSE opened_at END,
              2 + replied::int + (status = 'CLOSED')::int,
              CASE WHEN replied THEN out_id ELSE in_id END
         FROM batch`,
      [ws, cast.adminId, cast.supportBotId, INCOMING.flat(), REPLIES.flat()],
    );
    await db.query(
      `INSERT INTO ticket_events (id, workspace_id, ticket_id, ticket_version, type, actor_id, topic_id, assignee_id, note, message_id, created_at)
       SELECT gen_random_uuid(), $1::uuid, id, 1, 'OPENED', NULL::uuid, topic_id, assignee_id,
              CASE WHEN with_note THEN ($3::text[])[1 + abs(hashint4(i + 17)) % array_length($3::text[], 1)] END, NULL::uuid, opened_at
         FROM batch
       UNION ALL
       SELECT gen_random_uuid(), $1, id, 2, 'MESSAGE_RECEIVED', NULL, topic_id, NULL::uuid, NULL::text, in_id, opened_at FROM batch
       UNION ALL
       SELECT gen_random_uuid(), $1, id, 3, 'MESSAGE_SENT', coalesce(assignee_id, $2), topic_id, NULL, NULL, out_id, opened_at + interval '5 minutes'
         FROM batch WHERE replied
       UNION ALL
       SELECT gen_random_uuid(), $1, id, 3 + replied::int, 'CLOSED', coalesce(assignee_id, $2), topic_id, NULL, NULL, NULL, opened_at + interval '1 hour'
         FROM batch WHERE status = 'CLOSED'`,
      [ws, cast.adminId, NOTES],
    );
    // The batch's counts, in its own transaction, as the services record theirs.
    await db.query(
      `INSERT INTO ticket_count_deltas (workspace_id, status, topic_id, assignee_id, delta)
       SELECT $1, status, topic_id, assignee_id, count(*) FROM batch GROUP BY status, topic_id, assignee_id`,
      [ws],
    );
    await db.query("COMMIT");
    if (!options.quiet) progress("tickets", to, options.tickets, ticketsStarted);
  }
  await db.query(`DROP TABLE seed_contacts`);
}
