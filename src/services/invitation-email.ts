import { Role } from "../entities";
import type { MailMessage } from "./mailer";

export interface InvitationEmailInput {
  to: string;
  /** The accept link, token included: it goes into the email and nowhere else. */
  link: string;
  workspaceName: string;
  inviter: { name: string; email: string };
  role: Role;
  teamName: string | null;
  expiresAt: Date;
}

const ROLE_NAMES: Record<Role, string> = {
  [Role.ADMINISTRATOR]: "an administrator",
  [Role.EDITOR]: "an editor",
  [Role.AGENT]: "an agent",
};

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

/** Names typed by users, on one line. */
const oneLine = (s: string): string => s.replace(/\s+/g, " ").trim();

/** The invitation email: who invites whom to which workspace, as what, and the single-use link. */
export function invitationEmail(input: InvitationEmailInput): MailMessage {
  const workspace = oneLine(input.workspaceName);
  const inviter = `${oneLine(input.inviter.name)} (${input.inviter.email})`;
  const role = ROLE_NAMES[input.role] + (input.teamName ? ` in the team ${oneLine(input.teamName)}` : "");
  const expires = input.expiresAt.toUTCString();
  const text = [
    "Hello,",
    "",
    `${inviter} invited you to join the workspace "${workspace}" on Handover as ${role}.`,
    "",
    "Accept the invitation:",
    input.link,
    "",
    `The link works once, until ${expires}. If you did not expect this invitation, ignore this email.`,
    "",
  ].join("\n");
  const html = [
    "<p>Hello,</p>",
    `<p>${escapeHtml(inviter)} invited you to join the workspace <strong>${escapeHtml(workspace)}</strong> on Handover as ${escapeHtml(role)}.</p>`,
    `<p><a href="${escapeHtml(input.link)}">Accept the invitation</a></p>`,
    `<p>The link works once, until ${escapeHtml(expires)}. If you did not expect this invitation, ignore this email.</p>`,
  ].join("\n");
  return { to: input.to, subject: `${oneLine(input.inviter.name)} invited you to ${workspace} on Handover`, text, html };
}
