import type { EntityManager } from "typeorm";
import type { AuthedContext } from "../../context";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { fail, ok, type Result, UserErrorCode } from "../user-error";
import { parseUrn } from "./urn";
import { CONTACT_COLUMNS, type ContactWithUrns } from "../../db/rows";
import { containing } from "../../db/like";

export interface CreateContactInput {
  name?: string | null;
  urns: string[];
  language?: string | null;
}

export interface UpdateContactInput {
  name?: string | null;
  language?: string | null;
}

/** Parses every URN of an input; INVALID_URN at ["urns", i] for the first bad one. */
export function parseUrns(urns: string[], field = "urns"): Result<string[]> {
  const parsed: string[] = [];
  for (const [i, raw] of urns.entries()) {
    const urn = parseUrn(raw);
    if ("error" in urn) return fail(UserErrorCode.INVALID_URN, `URN ${i + 1}: ${urn.error}.`, [field, String(i)]);
    if (!parsed.includes(urn.urn)) parsed.push(urn.urn);
  }
  return ok(parsed);
}

/** Contacts and their URNs. Contacts are not topic-scoped: every member may read them. */
export class ContactService {
  async find(ctx: AuthedContext, id: string): Promise<ContactWithUrns | undefined> {
    const [contact] = await ctx.work.query<ContactWithUrns[]>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.workspace_id = $1 AND c.id = $2`,
      [ctx.actor.workspaceId, id],
    );
    return contact;
  }

  async create(ctx: AuthedContext, input: CreateContactInput): Promise<Result<ContactWithUrns>> {
    const urns = parseUrns(input.urns);
    if (!urns.ok) return urns;
    const workspaceId = ctx.actor.workspaceId;
    try {
      const id = await ctx.work.savepoint(async (em): Promise<{ taken: string } | { contactId: string }> => {
        const taken = await this.firstTaken(em, workspaceId, urns.value);
        if (taken !== undefined) return { taken };
        const contactId = uuidv7();
        await em.query(`INSERT INTO contacts (id, workspace_id, name, language) VALUES ($2, $1, $3, $4)`, [
          workspaceId,
          contactId,
          input.name?.trim() || null,
          input.language ?? null,
        ]);
        await this.insertUrns(em, workspaceId, contactId, urns.value);
        return { contactId };
      });
      if ("taken" in id) return this.urnTaken(input.urns, id.taken);
      return ok((await this.find(ctx, id.contactId)) as ContactWithUrns);
    } catch (error) {
      if (uniqueViolation(error) !== "contact_urns_urn_key") throw error;
      // A concurrent create claimed a URN first and has committed: name the one it took.
      const taken = await this.firstTaken(ctx.work.em, workspaceId, urns.value);
      return taken === undefined
        ? fail(UserErrorCode.URN_TAKEN, "A URN belongs to another contact.", ["urns"])
        : this.urnTaken(input.urns, taken);
    }
  }

  /** Omitted fields stay as they are; an explicit null clears. */
  async update(ctx: AuthedContext, id: string, input: UpdateContactInput): Promise<Result<ContactWithUrns>> {
    const sets: string[] = [];
    const params: unknown[] = [ctx.actor.workspaceId, id];
    if (input.name !== undefined) {
      params.push(input.name?.trim() || null);
      sets.push(`name = $${params.length}`);
    }
    if (input.language !== undefined) {
      params.push(input.language);
      sets.push(`language = $${params.length}`);
    }
    if (sets.length > 0) {
      await ctx.work.query(`UPDATE contacts SET ${sets.join(", ")} WHERE workspace_id = $1 AND id = $2`, params);
    }
    const contact = await this.find(ctx, id);
    return contact ? ok(contact) : fail(UserErrorCode.NOT_FOUND, "No such contact.", ["id"]);
  }

  /**
   * The contact owning a normalised URN, created with that URN (and the given name) when there
   * is none. Safe under concurrency: two callers for one new URN end with one contact.
   */
  async findOrCreateByUrn(
    em: EntityManager,
    workspaceId: string,
    urn: string,
    name: string | null,
  ): Promise<{ contactId: string; created: boolean }> {
    const existing = await em.query<Array<{ contact_id: string }>>(
      `SELECT contact_id FROM contact_urns WHERE workspace_id = $1 AND urn = $2`,
      [workspaceId, urn],
    );
    if (existing[0]) return { contactId: existing[0].contact_id, created: false };
    const contactId = uuidv7();
    await em.query(`INSERT INTO contacts (id, workspace_id, name) VALUES ($2, $1, $3)`, [workspaceId, contactId, name?.trim() || null]);
    // Waits for a concurrent creator of the same URN to commit, then yields to it.
    const inserted = await em.query<Array<{ id: string }>>(
      `INSERT INTO contact_urns (id, workspace_id, contact_id, urn, priority) VALUES ($2, $1, $3, $4, 0)
       ON CONFLICT (workspace_id, urn) DO NOTHING RETURNING id`,
      [workspaceId, uuidv7(), contactId, urn],
    );
    if (inserted.length > 0) return { contactId, created: true };
    await em.query(`DELETE FROM contacts WHERE workspace_id = $1 AND id = $2`, [workspaceId, contactId]);
    const winner = await em.query<Array<{ contact_id: string }>>(
      `SELECT contact_id FROM contact_urns WHERE workspace_id = $1 AND urn = $2`,
      [workspaceId, urn],
    );
    if (!winner[0]) throw new Error("a URN claimed by a concurrent transaction vanished");
    return { contactId: winner[0].contact_id, created: false };
  }

  /**
   * A page of contacts, newest first, optionally matching `search` (at least 3 characters) in
   * their name, a URN or the value of a field the viewer may see. Each arm of the search uses
   * its trigram index.
   */
  async page(
    ctx: AuthedContext,
    opts: {
      search: string | undefined;
      /** The fields whose values a search may match: those the viewer may see. */
      searchFieldIds: string[];
      first: number;
      after: { createdAt: string; id: string } | undefined;
    },
  ): Promise<{ contacts: Array<ContactWithUrns & { sortKey: string }>; totalCount: number | null }> {
    const workspaceId = ctx.actor.workspaceId;
    const pattern = opts.search === undefined ? null : containing(opts.search);
    const rows = await ctx.work.query<Array<ContactWithUrns & { sortKey: string }>>(
      `SELECT ${CONTACT_COLUMNS}, (extract(epoch FROM c.created_at) * 1000000)::bigint::text AS "sortKey"
         FROM contacts c
        WHERE c.workspace_id = $1
          AND ($2::text IS NULL OR c.id IN (
                SELECT id FROM contacts WHERE workspace_id = $1 AND name ILIKE $2
                UNION SELECT contact_id FROM contact_urns WHERE workspace_id = $1 AND urn ILIKE $2
                UNION SELECT contact_id FROM contact_field_values WHERE workspace_id = $1 AND field_id = ANY($6) AND value ILIKE $2))
          AND ($3::bigint IS NULL OR (c.created_at, c.id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT $5`,
      [workspaceId, pattern, opts.after?.createdAt ?? null, opts.after?.id ?? null, opts.first + 1, opts.searchFieldIds],
    );
    let totalCount: number | null = null;
    if (pattern === null) {
      const [{ n }] = await ctx.work.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM contacts WHERE workspace_id = $1`, [
        workspaceId,
      ]);
      totalCount = Number(n);
    }
    return { contacts: rows, totalCount };
  }

  async insertUrns(em: EntityManager, workspaceId: string, contactId: string, urns: string[]): Promise<void> {
    if (urns.length === 0) return;
    await em.query(
      `INSERT INTO contact_urns (id, workspace_id, contact_id, urn, priority)
       SELECT id, $1, $2, urn, p FROM unnest($3::uuid[], $4::text[], $5::int[]) AS x(id, urn, p)`,
      [workspaceId, contactId, urns.map(() => uuidv7()), urns, urns.map((_, i) => i)],
    );
  }

  /** Of normalised URNs, the first (in the given order) that already belongs to a contact. */
  private async firstTaken(em: EntityManager, workspaceId: string, urns: string[]): Promise<string | undefined> {
    const rows = await em.query<Array<{ urn: string }>>(`SELECT urn FROM contact_urns WHERE workspace_id = $1 AND urn = ANY($2)`, [
      workspaceId,
      urns,
    ]);
    const taken = new Set(rows.map((r) => r.urn));
    return urns.find((urn) => taken.has(urn));
  }

  /** URN_TAKEN at ["urns", i], i being the place in the input of the first spelling of `urn`. */
  private urnTaken(raw: string[], urn: string): Result<ContactWithUrns> {
    const index = raw.findIndex((r) => {
      const parsed = parseUrn(r);
      return "urn" in parsed && parsed.urn === urn;
    });
    return fail(UserErrorCode.URN_TAKEN, `${urn} belongs to another contact.`, ["urns", String(Math.max(index, 0))]);
  }
}
