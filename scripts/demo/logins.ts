/**
 * The logins of the demo workspace, read back through the API and each one tried: a login is
 * printed only once it has worked, with the role and team the server gives it. Logging in with
 * the workspace's id also makes it each user's last used workspace, so a plain logIn lands
 * there.
 */
import type { Api } from "./api";
import { DEMO_PASSWORD } from "./cast";

interface MemberRow {
  role: string;
  user: { email: string; name: string };
  team: { name: string; allTopics: boolean; topics: Array<{ name: string }> } | null;
}

export interface Login {
  email: string;
  name: string;
  role: string;
  /** "Logistics (Deliveries)", "Front line (all topics)", or "" for an agent without a team. */
  team: string;
}

export interface PendingInvitation {
  email: string;
  role: string;
  team: string;
}

const teamLabel = (team: MemberRow["team"]): string =>
  team ? `${team.name} (${team.allTopics ? "all topics" : team.topics.map((t) => t.name).join(", ")})` : "";

/** Every member of the workspace, checked by logging in as them with the demo password. */
export async function checkLogins(
  api: Api,
  adminToken: string,
  workspaceId: string,
): Promise<{ logins: Login[]; pending: PendingInvitation[] }> {
  const { members, invitations } = await api.call<{
    members: MemberRow[];
    invitations: Array<{ email: string; role: string; team: MemberRow["team"] }>;
  }>(
    `{ members(first: 100) { role user { email name } team { name allTopics topics { name } } }
       invitations { email role team { name allTopics topics { name } } } }`,
    {},
    adminToken,
  );
  const logins: Login[] = [];
  for (const m of members) {
    const { logIn } = await api.call<{
      logIn: { token: string | null; viewer: { role: string; workspace: { id: string } } | null; userErrors: Array<{ code: string }> };
    }>(`mutation($i: LogInInput!) { logIn(input: $i) { token viewer { role workspace { id } } userErrors { code } } }`, {
      i: { email: m.user.email, password: DEMO_PASSWORD, workspaceId },
    });
    if (!logIn.token || logIn.viewer?.role !== m.role || logIn.viewer.workspace.id !== workspaceId) {
      throw new Error(`${m.user.email} cannot log in to the demo workspace with the demo password: ${JSON.stringify(logIn)}`);
    }
    await api.call(`mutation { logOut }`, {}, logIn.token);
    logins.push({ email: m.user.email, name: m.user.name, role: m.role, team: teamLabel(m.team) });
  }
  const pending = invitations.map((i) => ({ email: i.email, role: i.role, team: teamLabel(i.team) }));
  return { logins, pending };
}

/** A plain-text table: a header, a rule, the rows. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function loginTable(logins: Login[]): string {
  return table(
    ["login", "password", "role", "team (topics)", "name"],
    logins.map((l) => [l.email, DEMO_PASSWORD, l.role, l.team || (l.role === "AGENT" ? "no team (all topics)" : "-"), l.name]),
  );
}
