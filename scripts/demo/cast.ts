/**
 * Who works in the demo workspace and what it is furnished with: an online shop's support desk
 * ("Kivu Market") that sells in Rwanda, Kenya, France, Spain and the United Kingdom, over
 * WhatsApp, Telegram, SMS and email.
 *
 * Every login shares one password. The emails are fixed: the README, the benchmarks
 * (bench/seed.ts picks the administrator demo@example.com, the agent named "Amina" and the agent
 * named "Bruno") and the tests rely on them.
 */

export const DEMO_PASSWORD = "demo-password";

export type Role = "ADMINISTRATOR" | "EDITOR" | "AGENT";

export interface CastMember {
  /** How the scenes name them. */
  key: MemberKey;
  email: string;
  name: string;
  role: Role;
  /** Agents only: the team (by name) that limits them to its topics; none = every topic. */
  team?: string;
  /** Agents only: what their membership takes away, set once the week is played (the scenes act without it). */
  permissions?: { canAssign?: boolean; canReplyToOthers?: boolean };
}

export type MemberKey = "grace" | "eve" | "amina" | "bruno" | "chloe" | "dmitri";

/** The administrator is first: the workspace is theirs. */
export const MEMBERS: readonly CastMember[] = [
  { key: "grace", email: "demo@example.com", name: "Grace", role: "ADMINISTRATOR" },
  { key: "eve", email: "editor@demo.example.com", name: "Eve", role: "EDITOR" },
  { key: "amina", email: "amina@demo.example.com", name: "Amina", role: "AGENT" },
  { key: "bruno", email: "bruno@demo.example.com", name: "Bruno", role: "AGENT", team: "Logistics" },
  { key: "chloe", email: "chloe@demo.example.com", name: "Chloé", role: "AGENT", team: "Finance" },
  // On the front line: takes tickets and answers his own, but hands none out nor answers in others'.
  {
    key: "dmitri",
    email: "dmitri@demo.example.com",
    name: "Dmitri",
    role: "AGENT",
    team: "Front line",
    permissions: { canAssign: false, canReplyToOthers: false },
  },
];

/** Invited at the end and never accepted: the pending invitation. */
export const PENDING_INVITATION = { email: "nadia@demo.example.com", role: "AGENT" as const, team: "Finance" };

/** Besides the system topic General. */
export const TOPICS = ["Deliveries", "Refunds", "Payments", "Account access", "Sales"] as const;
export type TopicName = (typeof TOPICS)[number] | "General";

export const TEAMS: ReadonlyArray<{ name: string; topics: readonly TopicName[] | "all" }> = [
  { name: "Logistics", topics: ["Deliveries"] },
  { name: "Finance", topics: ["Refunds", "Payments"] },
  { name: "Front line", topics: "all" },
];

/** Every type with every agent access, three of them featured. */
export const FIELDS: ReadonlyArray<{
  name: string;
  type: "TEXT" | "NUMBER" | "DATETIME";
  agentAccess: "NONE" | "VIEW" | "EDIT";
  featured?: number;
}> = [
  { name: "Customer number", type: "TEXT", agentAccess: "VIEW", featured: 30 },
  { name: "Delivery address", type: "TEXT", agentAccess: "EDIT", featured: 20 },
  { name: "Last order", type: "DATETIME", agentAccess: "VIEW", featured: 10 },
  { name: "Orders placed", type: "NUMBER", agentAccess: "VIEW" },
  { name: "Loyalty points", type: "NUMBER", agentAccess: "EDIT" },
  { name: "Call back after", type: "DATETIME", agentAccess: "EDIT" },
  { name: "Fraud check", type: "TEXT", agentAccess: "NONE" },
  { name: "Credit limit", type: "NUMBER", agentAccess: "NONE" },
  { name: "Date of birth", type: "DATETIME", agentAccess: "NONE" },
];

export const SHORTCUTS: ReadonlyArray<{ name: string; text: string }> = [
  { name: "Hello (English)", text: "Hi! Thanks for reaching out, I'm looking into this for you now." },
  { name: "Bonjour (français)", text: "Bonjour ! Merci pour votre message, je regarde cela tout de suite." },
  { name: "Hola (español)", text: "¡Hola! Gracias por escribirnos, lo reviso ahora mismo." },
  { name: "Muraho (Kinyarwanda)", text: "Muraho! Murakoze kutwandikira, ndimo kubikurikirana." },
  { name: "Habari (Kiswahili)", text: "Habari! Asante kwa kuwasiliana nasi, ninashughulikia ombi lako sasa hivi." },
  {
    name: "Refund timeline",
    text: "Your refund is approved. It reaches your account within 5 to 7 working days, depending on your bank.",
  },
  {
    name: "Password reset",
    text: 'To reset your password, open the app, tap "Forgot password" and follow the link we email you. The link works for 30 minutes.',
  },
  {
    name: "Delivery delay",
    text: "I'm sorry for the delay. Your parcel is with our courier and I've asked them for a firm delivery date; I'll write again as soon as I have it.",
  },
];

/** The flow engine's flows: the support bot opens tickets; the survey runs when one is closed. */
export const SUPPORT_BOT = { name: "Support bot", externalId: "demo-support-bot" };
export const SURVEY = { name: "Satisfaction survey", externalId: "demo-satisfaction-survey" };
