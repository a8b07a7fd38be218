/**
 * The story: what happened in the demo workspace over the last week, one scene per contact,
 * each a list of beats placed in time ("2d3h" = two days and three hours ago). The beats of all
 * scenes are played in time order through the API, and the story clock then moves every
 * timestamp to the time the beat names (see clock.ts).
 *
 * A scene usually starts where the support bot, having talked with the contact (in the flow
 * engine, outside Handover), escalates: it opens the ticket with a note rendered from its
 * results, and the contact's next message lands in the ticket for an agent to read.
 *
 * Between them the scenes show a ticket in every state: open and unassigned, open and assigned,
 * replied to, closed, closed then reopened, moved between topics (once by a member who could
 * not have moved it himself), opened by the support bot (with a note template) and by hand,
 * with replies delivered, sent, queued and failed, internal notes, contact fields of each type
 * and access, and notepads written by several members.
 */
import type { MemberKey, TopicName } from "./cast";

/** The channel connector and the support bot: an integration's API token. */
export type Integration = "bot";

export type Delivery = "QUEUED" | "SENT" | "DELIVERED" | "FAILED";

/** A photo, document or location a contact sends, as the channel connector passes it on. */
export interface Attachment {
  contentType: string;
  url: string;
}

export type Beat = { at: string } & (
  | /** The contact writes in, through the channel connector; `urn` picks one of the contact's URNs. */
    { do: "in"; text: string; urn?: number; attachments?: Attachment[] }
    /** The support bot escalates (flow), or a member opens a ticket by hand. */
  | { do: "open"; by: Integration | MemberKey; topic: TopicName; assignTo?: MemberKey; note?: string; results?: Record<string, unknown> }
  | { do: "assign"; by: MemberKey; to: MemberKey }
  /** A member replies; the connector then reports the delivery (default DELIVERED). */
  | { do: "reply"; by: MemberKey; text: string; delivery?: Delivery }
  | { do: "note"; by: MemberKey; text: string }
  | { do: "move"; by: MemberKey; topic: TopicName }
  | { do: "close"; by: MemberKey }
  | { do: "reopen"; by: MemberKey }
  | { do: "notepad"; by: MemberKey; text: string }
  | { do: "fields"; by: MemberKey; values: Record<string, string> }
);

export interface Scene {
  name: string;
  /** ISO 639-3. */
  language: string;
  urns: string[];
  /**
   * When the shop first knew the contact (a customer imported with their CRM fields by Eve);
   * default: a minute before their first beat, created by the connector as they reach the bot.
   */
  known?: string;
  /** Set by Eve when the contact is created, by field key. */
  fields?: Record<string, string>;
  beats: Beat[];
}

/** "2d3h10m" → milliseconds. */
export function parseAgo(ago: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(ago);
  if (!match || ago === "") throw new Error(`not a duration: "${ago}"`);
  const [, d = "0", h = "0", m = "0"] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000;
}

/** A DATETIME field value: `ms` from now, written as RFC 3339 in the contact's UTC offset. */
function at(now: number, ms: number, offset: string): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(":").map(Number);
  const shifted = new Date(now + ms + sign * (hours * 60 + minutes) * 60_000);
  return `${shifted.toISOString().slice(0, 19)}${offset}`;
}

const DAY = 24 * 3600_000;

export function scenes(now: number): Scene[] {
  return [
    {
      name: "Emily Chen",
      language: "eng",
      urns: ["mailto:emily.chen@example.com", "tel:+447700900456"],
      known: "60d",
      fields: { customer_number: "KM-20931", orders_placed: "3", loyalty_points: "120", last_order: at(now, -7 * DAY, "+00:00") },
      beats: [
        {
          at: "6d2h",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "Wrong item delivered to @contact.name, order @results.order: ordered @results.ordered, received @results.received.",
          results: { order: "KM-10355", ordered: "blue kettle", received: "red kettle" },
        },
        { at: "6d1h58m", do: "in", text: "Hi, I ordered the blue kettle (order KM-10355) but a red one arrived today." },
        { at: "6d1h20m", do: "assign", by: "bruno", to: "bruno" },
        {
          at: "6d1h15m",
          do: "reply",
          by: "bruno",
          text: "Hi Emily, sorry about that! A blue kettle leaves our warehouse today. Please keep the red one, no need to send it back.",
        },
        { at: "6d58m", do: "in", text: "Oh, that's very kind. Thank you!" },
        { at: "6d50m", do: "close", by: "bruno" },
        {
          at: "3h",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "Follow-up on order KM-10355: part missing (@results.part).",
          results: { part: "kettle lid" },
        },
        {
          at: "2h58m",
          do: "in",
          text: "Hi again! The blue kettle arrived, but the lid is missing from the box :(",
          attachments: [{ contentType: "image/jpeg", url: "https://media.demo.handover.example/km-10355/open-box.jpg" }],
        },
        { at: "2h30m", do: "assign", by: "eve", to: "bruno" },
      ],
    },
    {
      name: "Marie Dubois",
      language: "fra",
      urns: ["whatsapp:33612345678", "mailto:marie.dubois@example.fr"],
      known: "120d",
      fields: {
        customer_number: "KM-10042",
        delivery_address: "8 rue Victor Hugo, 33000 Bordeaux",
        orders_placed: "14",
        loyalty_points: "860",
        last_order: at(now, -5 * DAY, "+02:00"),
        credit_limit: "1500",
        date_of_birth: "1984-03-12T00:00:00+01:00",
      },
      beats: [
        { at: "6d", do: "notepad", by: "eve", text: "Loyal customer since 2021, 14 orders. Prefers French and WhatsApp." },
        {
          at: "4d6h",
          do: "open",
          by: "bot",
          topic: "General",
          note: "@contact.name (customer @fields.customer_number) asks for a refund: @results.reason (@results.reason.category), order @results.order.",
          results: { reason: { value: "bol fissuré à la livraison", category: "damaged" }, order: "KM-10384" },
        },
        { at: "4d5h58m", do: "in", text: "Bonjour, j'ai reçu mon blender ce matin mais le bol est fissuré. Je voudrais être remboursée." },
        { at: "4d5h50m", do: "in", text: "Je peux envoyer une photo si besoin." },
        { at: "4d5h", do: "move", by: "amina", topic: "Refunds" },
        { at: "4d4h59m", do: "note", by: "amina", text: "Refund request for a damaged blender: moved to Refunds for Finance." },
        {
          at: "4d4h58m",
          do: "notepad",
          by: "amina",
          text: "Loyal customer since 2021, 14 orders. Prefers French and WhatsApp.\nBlender (KM-10384) arrived with a cracked bowl: refund in progress.",
        },
        { at: "4d4h", do: "assign", by: "chloe", to: "chloe" },
        {
          at: "4d3h58m",
          do: "reply",
          by: "chloe",
          text: "Bonjour Marie, je suis désolée pour ce désagrément. Pouvez-vous m'envoyer une photo du bol fissuré ?",
        },
        {
          at: "4d3h",
          do: "in",
          text: "Voilà la photo, et le bon de commande.",
          attachments: [
            { contentType: "image/jpeg", url: "https://media.demo.handover.example/marie/bol-fissure.jpg" },
            { contentType: "application/pdf", url: "https://media.demo.handover.example/marie/bon-de-commande.pdf" },
          ],
        },
        { at: "4d2h", do: "note", by: "chloe", text: "Photo received: the bowl is cracked. Refund of €89.90 approved." },
        {
          at: "4d1h59m",
          do: "reply",
          by: "chloe",
          text: "Merci Marie ! Votre remboursement de 89,90 € est validé : il apparaîtra sur votre compte sous 5 à 7 jours ouvrés.",
        },
        { at: "4d1h", do: "in", text: "Parfait, merci beaucoup pour votre rapidité !" },
        { at: "4d50m", do: "close", by: "chloe" },
        {
          at: "4d45m",
          do: "notepad",
          by: "chloe",
          text: "Loyal customer since 2021, 14 orders. Prefers French and WhatsApp.\nRefund of €89.90 sent for the blender (KM-10384). Offer her free delivery on her next order.",
        },
      ],
    },
    {
      name: "Sarah Thompson",
      language: "eng",
      urns: ["mailto:sarah.thompson@example.com", "tel:+447700900123"],
      known: "120d",
      fields: { customer_number: "KM-11876", orders_placed: "6", loyalty_points: "310" },
      beats: [
        {
          at: "3d8h",
          do: "open",
          by: "bot",
          topic: "Account access",
          note: "@contact.name cannot log in: @results.problem (@results.problem.category).",
          results: { problem: { value: "reset email not received", category: "password" } },
        },
        {
          at: "3d7h58m",
          do: "in",
          text: "Hi, I can't log into my account. I've asked for a password reset three times but the email never arrives.",
        },
        { at: "3d7h", do: "assign", by: "amina", to: "amina" },
        {
          at: "3d6h58m",
          do: "reply",
          by: "amina",
          text: 'Hi Sarah! To reset your password, open the app, tap "Forgot password" and follow the link we email you. The link works for 30 minutes. Our emails sometimes land in the spam folder of Outlook addresses: could you have a look there?',
        },
        { at: "3d6h", do: "in", urn: 1, text: "Found it in spam! All sorted now, thanks Amina." },
        { at: "3d5h10m", do: "note", by: "amina", text: "Reset emails land in spam for Outlook addresses. Reported to the platform team." },
        { at: "3d5h", do: "close", by: "amina" },
      ],
    },
    {
      name: "Olivia Brown",
      language: "eng",
      urns: ["telegram:oliviabrown_uk"],
      beats: [
        { at: "3d2h", do: "open", by: "bot", topic: "General", note: "@contact.name left a message for the team." },
        { at: "3d1h58m", do: "in", text: "Just wanted to say the delivery was super quick this time. Thanks!" },
        { at: "3d1h", do: "note", by: "dmitri", text: "A thank-you, nothing to answer. Shared it with the couriers." },
        { at: "3d59m", do: "close", by: "dmitri" },
      ],
    },
    {
      name: "Wanjiru Kamau",
      language: "swa",
      urns: ["whatsapp:254712345678", "tel:+254712345678"],
      known: "120d",
      fields: {
        customer_number: "KM-30417",
        orders_placed: "9",
        loyalty_points: "450",
        fraud_check: "Cleared: the two M-Pesa payments on KM-30488 are a genuine duplicate.",
      },
      beats: [
        {
          at: "2d9h",
          do: "open",
          by: "bot",
          topic: "Payments",
          note: "@contact.name reports a double charge of @results.amount via @results.method (order @results.order).",
          results: { amount: "KES 4,500", method: "M-Pesa", order: "KM-30488" },
        },
        { at: "2d8h58m", do: "in", text: "Habari, nimelipia oda yangu kwa M-Pesa lakini pesa imekatwa mara mbili. Naomba msaada." },
        { at: "2d8h", do: "assign", by: "chloe", to: "chloe" },
        {
          at: "2d7h58m",
          do: "reply",
          by: "chloe",
          text: "Habari Wanjiru, pole sana kwa usumbufu. Nimeona malipo mawili ya KES 4,500. Tutarudisha malipo ya pili ndani ya siku 3 za kazi.",
        },
        { at: "2d7h", do: "in", text: "Sawa, asante sana!" },
        { at: "2d6h", do: "note", by: "chloe", text: "Asked Finance to reverse the second M-Pesa payment (KES 4,500)." },
        { at: "2d5h", do: "close", by: "chloe" },
        {
          at: "2d4h",
          do: "notepad",
          by: "chloe",
          text: "Double M-Pesa charge on KM-30488: second payment reversed. Check that she received it.",
        },
        { at: "5h", do: "in", text: "Habari, bado sijapokea pesa zangu. Ni siku mbili sasa." },
        { at: "4h30m", do: "reopen", by: "chloe" },
        {
          at: "4h25m",
          do: "note",
          by: "chloe",
          text: "The first reversal bounced. Finance sent it again this morning, transaction RGT4K9XQ2P.",
        },
        {
          at: "4h20m",
          do: "reply",
          by: "chloe",
          text: "Samahani Wanjiru. Marejesho ya kwanza hayakufanikiwa, tumeyatuma tena leo asubuhi. Namba ya muamala ni RGT4K9XQ2P. Tafadhali angalia ujumbe wa M-Pesa.",
        },
        {
          at: "4h10m",
          do: "notepad",
          by: "eve",
          text: "Double M-Pesa charge on KM-30488: the first reversal bounced, sent again (RGT4K9XQ2P). Call her if it has not arrived by Friday.",
        },
      ],
    },
    {
      name: "Carlos Méndez",
      language: "spa",
      urns: ["whatsapp:34612345678", "tel:+34612345678"],
      known: "120d",
      fields: {
        customer_number: "KM-40233",
        delivery_address: "Calle de Colón 12, 3ºB, 46004 Valencia",
        orders_placed: "2",
        last_order: at(now, -4 * DAY, "+02:00"),
      },
      beats: [
        {
          at: "1d10h",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          assignTo: "bruno",
          note: "@contact.name asks where order @results.order is (expected @results.expected).",
          results: { order: "KM-10452", expected: "Tuesday" },
        },
        {
          at: "1d9h58m",
          do: "in",
          text: "Hola, mi pedido KM-10452 tenía que llegar el martes y todavía no sé nada. ¿Me pueden decir dónde está?",
        },
        {
          at: "1d9h",
          do: "reply",
          by: "bruno",
          text: "¡Hola Carlos! Siento mucho el retraso. Su paquete está en el centro de distribución de Valencia y sale hoy en reparto.",
        },
        { at: "1d8h", do: "in", text: "Vale, gracias. ¿Pueden entregarlo por la tarde? Trabajo hasta las 18:00." },
        {
          at: "1d7h",
          do: "note",
          by: "bruno",
          text: "Courier confirms delivery tomorrow. Asked them for an evening slot: the customer works until 18:00.",
        },
        { at: "1d6h58m", do: "fields", by: "bruno", values: { call_back_after: at(now, 3 * 3600_000, "+02:00") } },
        {
          at: "1d6h55m",
          do: "reply",
          by: "bruno",
          text: "He pedido al transportista una entrega por la tarde. Le escribo en cuanto me la confirmen.",
        },
      ],
    },
    {
      name: "Eric Nshimiyimana",
      language: "kin",
      urns: ["tel:+250788301122"],
      beats: [
        {
          at: "1d5h10m",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "@contact.name received the wrong item (@results.item).",
          results: { item: "a radio instead of a solar lamp" },
        },
        { at: "1d5h", do: "in", text: "Muraho, nakiriye ibicuruzwa bitari byo. Ndashaka gusubizwa amafaranga yanjye." },
        { at: "1d4h", do: "note", by: "bruno", text: "He wants his money back, not a replacement: this one is for Finance." },
        { at: "1d3h", do: "move", by: "eve", topic: "Refunds" },
        { at: "1d2h", do: "assign", by: "chloe", to: "chloe" },
        { at: "1d1h58m", do: "reply", by: "chloe", text: "Muraho! Murakoze kutwandikira, ndimo kubikurikirana." },
        {
          at: "1d1h",
          do: "note",
          by: "chloe",
          text: "Courier pick-up of the radio booked for Thursday; refund once it is back in the warehouse.",
        },
      ],
    },
    {
      name: "Thomas Martin",
      language: "fra",
      urns: ["tel:+33645123456", "telegram:thomasmartin_pro"],
      known: "120d",
      fields: {
        customer_number: "KM-10561",
        orders_placed: "22",
        credit_limit: "5000",
        fraud_check: "Business customer, verified (SIRET on file).",
      },
      beats: [
        {
          at: "22h",
          do: "open",
          by: "eve",
          topic: "Payments",
          assignTo: "dmitri",
          note: "Phone call: the invoice of KM-10291 shows his name instead of his company, Atelier Martin SARL. He needs a corrected invoice for his accountant.",
        },
        {
          at: "20h",
          do: "reply",
          by: "dmitri",
          delivery: "SENT",
          text: "Bonjour Thomas, suite à votre appel : je vous envoie la facture corrigée au nom d'Atelier Martin SARL d'ici demain midi.",
        },
      ],
    },
    {
      name: "Pierre Lefebvre",
      language: "fra",
      urns: ["whatsapp:33698765432"],
      known: "120d",
      fields: { customer_number: "KM-10977", delivery_address: "27 avenue Jean Jaurès, 69007 Lyon", orders_placed: "4" },
      beats: [
        {
          at: "20h",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "@contact.name wants to change the delivery address of order @results.order.",
          results: { order: "KM-10477" },
        },
        {
          at: "19h58m",
          do: "in",
          text: "Bonjour, est-ce que je peux changer l'adresse de livraison de ma commande KM-10477 ? Je déménage la semaine prochaine.",
        },
        { at: "19h", do: "assign", by: "amina", to: "amina" },
        {
          at: "18h58m",
          do: "reply",
          by: "amina",
          delivery: "FAILED",
          text: "Bonjour Pierre, oui bien sûr ! Quelle est la nouvelle adresse ?",
        },
        {
          at: "18h50m",
          do: "note",
          by: "amina",
          text: "WhatsApp reports the reply as failed. Waiting for him to write again before retrying.",
        },
        { at: "2h", do: "in", text: "Bonjour ? Vous avez reçu mon message ?" },
        { at: "1h50m", do: "reply", by: "amina", text: "Bonjour Pierre, oui ! Quelle est la nouvelle adresse de livraison ?" },
        { at: "1h30m", do: "in", text: "12 rue des Lilas, 69003 Lyon. Merci !" },
        { at: "1h20m", do: "fields", by: "amina", values: { delivery_address: "12 rue des Lilas, 69003 Lyon" } },
        {
          at: "1h15m",
          do: "note",
          by: "amina",
          text: "New address saved in the contact's Delivery address and sent to the courier.",
        },
        {
          at: "1h10m",
          do: "reply",
          by: "amina",
          text: "C'est noté : votre commande KM-10477 sera livrée au 12 rue des Lilas, 69003 Lyon.",
        },
      ],
    },
    {
      name: "Lucía Fernández",
      language: "spa",
      urns: ["whatsapp:34655123987"],
      known: "120d",
      fields: { customer_number: "KM-40588", orders_placed: "5" },
      beats: [
        {
          at: "9h",
          do: "open",
          by: "bot",
          topic: "Refunds",
          note: "@contact.name returned order @results.order @results.days days ago and is waiting for the refund.",
          results: { order: "KM-10402", days: "14" },
        },
        { at: "8h58m", do: "in", text: "Buenas tardes. Devolví unas zapatillas hace dos semanas y todavía no he recibido el reembolso." },
        { at: "8h", do: "assign", by: "eve", to: "chloe" },
        { at: "7h", do: "in", text: "El número de seguimiento de la devolución es 1Z999AA10123456784." },
      ],
    },
    {
      name: "Aline Uwase",
      language: "kin",
      urns: ["tel:+250722456789"],
      known: "120d",
      fields: { customer_number: "KM-50120", orders_placed: "1" },
      beats: [
        {
          at: "6h",
          do: "open",
          by: "bot",
          topic: "Account access",
          note: "@contact.name cannot log in: @results.problem (@results.problem.category).",
          results: { problem: { value: "wrong password", category: "password" } },
        },
        { at: "5h58m", do: "in", text: "Muraho, sinshobora kwinjira muri konti yanjye. Mwamfasha?" },
        { at: "5h", do: "assign", by: "amina", to: "amina" },
        {
          at: "4h58m",
          do: "reply",
          by: "amina",
          text: "Muraho Aline! Nohereje link yo guhindura ijambo ry'ibanga kuri email yanyu.",
        },
        { at: "3h", do: "in", text: "Nabonye ubutumwa, ariko link ntikora." },
        { at: "1h", do: "note", by: "amina", text: "The link had expired (it works for 30 minutes). Sent a new one." },
        { at: "55m", do: "reply", by: "amina", delivery: "QUEUED", text: "Nohereje indi link nshya. Ikora iminota 30." },
      ],
    },
    {
      name: "Jean-Claude Habimana",
      language: "kin",
      urns: ["whatsapp:250788123456", "tel:+250788123456"],
      beats: [
        {
          at: "3h10m",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "@contact.name: order @results.order not delivered to @results.city.",
          results: { order: "KM-50233", city: "Musanze" },
        },
        { at: "3h8m", do: "in", text: "Muraho, natumije telefone ku wa mbere ariko ntiragera i Musanze. Mwamfasha?" },
        { at: "2h50m", do: "in", text: "Nimero ya komande ni KM-50233." },
      ],
    },
    {
      name: "David Okafor",
      language: "eng",
      urns: ["telegram:davidokafor"],
      beats: [
        {
          at: "2h",
          do: "open",
          by: "bot",
          topic: "Sales",
          note: "Sales lead from @contact.name: @results.quantity × @results.product.",
          results: { quantity: "40", product: "solar lamp" },
        },
        { at: "1h58m", do: "in", text: "Hello! Do you offer discounts on bulk orders? I'd like 40 solar lamps for my shop in Kigali." },
        { at: "1h50m", do: "in", text: "Also, how long would delivery to Kigali take?" },
      ],
    },
    {
      name: "Juma Mwangi",
      language: "swa",
      urns: ["tel:+254722987654"],
      beats: [
        {
          at: "1h30m",
          do: "open",
          by: "bot",
          topic: "Deliveries",
          note: "@contact.name: parcel of order @results.order not delivered to @results.city.",
          results: { order: "KM-30522", city: "Nakuru" },
        },
        { at: "1h28m", do: "in", text: "Habari, mzigo wangu ulitakiwa kufika jana Nakuru lakini sijaupata. Namba ya oda ni KM-30522." },
      ],
    },
    {
      name: "Sophie Girard",
      language: "fra",
      urns: ["mailto:sophie.girard@example.fr"],
      beats: [
        { at: "50m", do: "open", by: "bot", topic: "General" },
        {
          at: "48m",
          do: "in",
          text: "Bonjour, avez-vous un magasin à Paris où je pourrais voir les lampes solaires avant de les acheter ?",
        },
      ],
    },
    {
      name: "Javier Ruiz",
      language: "spa",
      urns: ["whatsapp:34678901234"],
      beats: [
        {
          at: "25m",
          do: "open",
          by: "bot",
          topic: "Payments",
          note: "@contact.name asks about paying in instalments (@results.product).",
          results: { product: "solar fridge" },
        },
        { at: "23m", do: "in", text: "Hola, ¿se puede pagar a plazos? Quiero comprar el frigorífico solar." },
      ],
    },
  ];
}

/** When the survey flow and its TICKET_CLOSED trigger were set up: before the first close. */
export const TRIGGER_AT = "7d";
/** When the workspace was furnished (topics, teams, members, fields, shortcuts, the bot). */
export const SETUP_AT = "120d";
