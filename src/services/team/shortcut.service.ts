import type { AuthedContext } from "../../context";
import { columnsOf } from "../../db/columns";
import { returningRows } from "../../db/returning";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { Shortcut } from "../../entities";
import { containing } from "../../db/like";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

/** Shortcuts a workspace may have: enough for any team's canned replies, few enough to list whole. */
export const MAX_SHORTCUTS = 1000;
export const SHORTCUT_NAME_MAX = 64;
export const SHORTCUT_TEXT_MAX = 10_000;
/** A search shorter than this cannot use the trigram index (and matches almost everything). */
export const SHORTCUT_SEARCH_MIN = 3;
export const SHORTCUT_SEARCH_MAX = 100;

const COLUMNS = columnsOf(Shortcut, null);

/** What updateShortcut changes: an omitted (undefined) part is left as it is. */
export interface ShortcutChanges {
  name?: string;
  text?: string;
}

/**
 * Shortcuts: pre-defined responses agents insert into replies. Names and texts are stored
 * trimmed; names are unique ignoring case (the index shortcuts_name_key on lower(name)).
 */
export class ShortcutService {
  /**
   * The workspace's shortcuts by name (ignoring case). With a search (already trimmed, 3 to 100
   * characters), only those whose name or text holds it, ignoring case.
   */
  list(ctx: AuthedContext, search?: string): Promise<Shortcut[]> {
    const pattern = search === undefined ? null : containing(search);
    // The first test is the one the trigram index on (name || ' ' || text) serves; the second
    // keeps a match from spanning the end of the name and the start of the text.
    return ctx.work.query<Shortcut[]>(
      `SELECT ${COLUMNS} FROM shortcuts
        WHERE workspace_id = $1
          AND ($2::text IS NULL OR ((name || ' ' || text) ILIKE $2 AND (name ILIKE $2 OR text ILIKE $2)))
        ORDER BY lower(name), name, id`,
      [ctx.actor.workspaceId, pattern],
    );
  }

  async find(ctx: AuthedContext, id: string): Promise<Shortcut | null> {
    const [row] = await ctx.work.query<Shortcut[]>(`SELECT ${COLUMNS} FROM shortcuts WHERE workspace_id = $1 AND id = $2`, [
      ctx.actor.workspaceId,
      id,
    ]);
    return row ?? null;
  }

  async create(ctx: AuthedContext, name: string, text: string): Promise<Result<Shortcut>> {
    const workspaceId = ctx.actor.workspaceId;
    const trimmed = { name: name.trim(), text: text.trim() };
    try {
      return await refusable(ctx.work, async (em) => {
        // The workspace row keeps the limit exact under concurrent creates. NO KEY UPDATE, unlike
        // FOR UPDATE, does not hold up the foreign-key checks of other writers in the workspace.
        await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
        const [{ n }] = await em.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM shortcuts WHERE workspace_id = $1`, [workspaceId]);
        if (Number(n) >= MAX_SHORTCUTS) {
          return fail<Shortcut>(UserErrorCode.LIMIT_REACHED, `A workspace has at most ${MAX_SHORTCUTS} shortcuts.`);
        }
        const [row] = await em.query<Shortcut[]>(
          `INSERT INTO shortcuts (id, workspace_id, name, text) VALUES ($2, $1, $3, $4) RETURNING ${COLUMNS}`,
          [workspaceId, uuidv7(), trimmed.name, trimmed.text],
        );
        return ok(row);
      });
    } catch (error) {
      if (uniqueViolation(error) === "shortcuts_name_key") return nameTaken(trimmed.name);
      throw error;
    }
  }

  /** Changes the name and/or the text; with neither, answers the shortcut as it is. */
  async update(ctx: AuthedContext, id: string, changes: ShortcutChanges): Promise<Result<Shortcut>> {
    const name = changes.name?.trim();
    const text = changes.text?.trim();
    try {
      const raw: unknown = await ctx.work.savepoint((em) =>
        em.query(
          `UPDATE shortcuts SET name = coalesce($3, name), text = coalesce($4, text)
            WHERE workspace_id = $1 AND id = $2
            RETURNING ${COLUMNS}`,
          [ctx.actor.workspaceId, id, name ?? null, text ?? null],
        ),
      );
      const [row] = returningRows<Shortcut>(raw);
      return row ? ok(row) : notFound();
    } catch (error) {
      if (uniqueViolation(error) === "shortcuts_name_key" && name !== undefined) return nameTaken(name);
      throw error;
    }
  }

  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const raw: unknown = await ctx.work.query(`DELETE FROM shortcuts WHERE workspace_id = $1 AND id = $2 RETURNING id`, [
      ctx.actor.workspaceId,
      id,
    ]);
    const [row] = returningRows<{ id: string }>(raw);
    return row ? ok(row.id) : notFound();
  }
}

function notFound<T>(): Result<T> {
  return fail<T>(UserErrorCode.NOT_FOUND, "No such shortcut.", ["id"]);
}

function nameTaken<T>(name: string): Result<T> {
  return fail<T>(UserErrorCode.NAME_TAKEN, `A shortcut named "${name}" already exists.`, ["name"]);
}
