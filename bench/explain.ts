/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements an inbox request runs: the inbox service is run
 * in this process against the bench database, its statements are recorded as it sends them,
 * then each is explained with its own parameters.
 */
import pino from "pino";
import { createDataSource } from "../ormconfig";
import { loadConfig } from "../src/config";
import type { AuthedContext } from "../src/context";
import type { TicketStatus } from "../src/entities";
import { UnitOfWork } from "../src/db/unit-of-work";
import { createLoaders } from "../src/loaders";
import { decodeCursor } from "../src/services/cursors";
import { parseGlobalId, toGlobalId } from "../src/schema/global-id";
import { createServices } from "../src/services";
import type { Folder } from "../src/services/tickets/inbox.service";
import { createMailer } from "../src/services/team/mailer";

export interface Explained {
  sql: string;
  params: unknown[];
  plan: string[];
}

export async function explainStatements(
  url: string,
  token: string,
  what: { kind: "inbox"; filter: { folder: string; status: string | null; topicId?: string; search?: string }; after?: string },
): Promise<Explained[]> {
  const db = createDataSource({ url, poolSize: 1 });
  await db.initialize();
  try {
    const recorded: Array<{ sql: string; params: unknown[] }> = [];
    const work = new UnitOfWork(db);
    const send = work.query.bind(work);
    work.query = (<T>(sql: string, params?: unknown[]) => {
      recorded.push({ sql, params: params ?? [] });
      return send<T>(sql, params);
    }) as typeof work.query;
    const config = loadConfig({ DATABASE_URL: url });
    const log = pino({ level: "silent" });
    const services = createServices(db, config, createMailer(config, log), { log, globalId: toGlobalId });
    const actor = await services.tokens.authenticate(token);
    if (!actor) throw new Error("the bench token does not authenticate");
    const ctx = { actor, work, services, log, loaders: createLoaders(work, actor.workspaceId) } as unknown as AuthedContext;
    const after = what.after ? decodeCursor(what.after, "after", 4) : undefined;
    await services.inbox.page(
      ctx,
      {
        folder: what.filter.folder as Folder,
        status: what.filter.status as TicketStatus | null,
        topicId: what.filter.topicId ? parseGlobalId(what.filter.topicId)?.uuid : undefined,
        search: what.filter.search,
      },
      25,
      after ? { status: after[0] as TicketStatus, lastActivityUs: after[1], id: after[2], snapshot: after[3] } : undefined,
      // What the bench's inbox query selects of each ticket, read in the page's statement.
      { contact: true, topic: true, assignee: true },
    );
    const explained: Explained[] = [];
    for (const { sql, params } of recorded) {
      // The authentication statement also writes (lastUsedAt): explain it without running it.
      const analyze = /\bUPDATE\b/i.test(sql) ? "" : "ANALYZE, BUFFERS, ";
      const rows = await db.query<Array<{ "QUERY PLAN": string }>>(`EXPLAIN (${analyze}COSTS OFF) ${sql}`, params);
      explained.push({ sql: sql.replace(/\s+/g, " ").trim(), params, plan: rows.map((r) => r["QUERY PLAN"]) });
    }
    return explained;
  } finally {
    await db.destroy();
  }
}
