import type { AuthedContext } from "../../context";
import { uuidv7 } from "../../db/uuid";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

/** Versions of a contact's notepad kept: the current one and four before it. */
export const NOTEPAD_HISTORY = 5;

/** The shared notepad on each contact: who changed it and when. */
export class NotepadService {
  /**
   * Saves a new version when the text changes (a save of the same text records nothing), and
   * keeps only the last five versions.
   */
  async update(ctx: AuthedContext, contactId: string, text: string): Promise<Result<true>> {
    const { workspaceId, userId } = ctx.actor;
    return refusable(ctx.work, async (em) => {
      const [contact] = await em.query(`SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE`, [workspaceId, contactId]);
      if (!contact) return fail<true>(UserErrorCode.NOT_FOUND, "No such contact.", ["contactId"]);
      const [current] = await em.query<Array<{ text: string }>>(
        `SELECT text FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
        [workspaceId, contactId],
      );
      if (current?.text === text) return ok<true>(true);
      await em.query(
        `INSERT INTO contact_notes (id, workspace_id, contact_id, text, author_id, created_at) VALUES ($2, $1, $3, $4, $5, clock_timestamp())`,
        [workspaceId, uuidv7(), contactId, text, userId],
      );
      await em.query(
        `DELETE FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 AND id NOT IN (
           SELECT id FROM contact_notes WHERE workspace_id = $1 AND contact_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3)`,
        [workspaceId, contactId, NOTEPAD_HISTORY],
      );
      return ok<true>(true);
    });
  }
}
