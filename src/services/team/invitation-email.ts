import { Role } from "../../entities";
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

/** A paragraph of the text part as lines of at most `width` characters (a longer word stays whole). */
function wrap(paragraph: string, width = 72): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(" ").filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The invitation email: who invites whom to which workspace, as what, and the single-use link.
 * In the text part the link stands alone on its line and the prose is wrapped short, so the link
 * can be copied from the raw message as it is (the mailer writes text parts unencoded).
 */
export function invitationEmail(input: InvitationEmailInput): MailMessage {
  const workspace = oneLine(input.workspaceName);
  const inviter = `${oneLine(input.inviter.name)} (${input.inviter.email})`;
  const role = ROLE_NAMES[input.role] + (input.teamName ? ` in the team ${oneLine(input.teamName)}` : "");
  const expires = input.expiresAt.toUTCString();
  const text = [
    "Hello,",
    "",
    ...wrap(`${inviter} invited you to join the workspace "${workspace}" on Handover as ${role}.`),
    "",
    "Accept the invitation:",
    input.link,
    "",
    ...wrap(`The link works once, until ${expires}. If you did not expect this invitation, ignore this email.`),
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
