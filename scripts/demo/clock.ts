/**
 * The story clock. The story is played through the API in a few seconds, in the order of its
 * beats; afterwards every timestamp it wrote is moved to the time its beat names ("4d5h" ago),
 * so the inbox reads like a week of work rather than a burst.
 *
 * Before each beat the clock notes the database's time. The beat's rows were written between
 * that mark and the next one, so each is moved by its segment's offset: story time of the beat
 * plus the row's distance from the mark. Beats are played in story order and every segment is
 * at least as long in story time as it was in real time, so the mapping is increasing: what
 * happened after something still does (lastActivityAt never moves backwards, a reply stays after
 * the message it answers, the inbox keeps its order). Only timestamps move: versions, events
 * and their cursors, counts and the Open Tickets group are exactly what the API wrote.
 */
import type pg from "pg";

/**
 * The timestamp columns the story's requests write, per workspace table, and which rows. Sessions
 * keep their real times: moved back, they would have expired unused.
 */
const COLUMNS: ReadonlyArray<[table: string, columns: string[], rows?: string]> = [
  ["tickets", ["opened_at", "replied_at", "closed_at", "last_activity_at"]],
  ["messages", ["created_at"]],
  ["ticket_events", ["created_at"]],
  ["flow_starts", ["created_at"]],
  ["notifications", ["created_at", "updated_at", "seen_at"]],
  ["contacts", ["created_at"]],
  ["contact_notes", ["created_at"]],
  ["topics", ["created_at"]],
  ["contact_groups", ["created_at"]],
  ["teams", ["created_at"]],
  ["contact_fields", ["created_at"]],
  ["shortcuts", ["created_at"]],
  ["flows", ["created_at"]],
  ["triggers", ["created_at"]],
  ["memberships", ["created_at", "last_login_at"]],
  ["invitations", ["created_at", "accepted_at"]],
  ["api_tokens", ["created_at", "last_used_at"], "kind = 'API'"],
];

interface Mark {
  /** The database's clock_timestamp(), to the microsecond. */
  real: string;
  realMs: number;
  storyMs: number;
}

export class StoryClock {
  private readonly marks: Mark[] = [];
  private end: string | undefined;

  /** `now`: the story's present, in ms; beats are placed before it. */
  constructor(
    private readonly db: pg.Client,
    readonly now: number,
  ) {}

  /** Marks the start of a beat placed `ago` ms before the story's present. */
  async beat(ago: number): Promise<void> {
    if (this.end) throw new Error("the story clock has stopped");
    const real = await this.databaseTime();
    const previous = this.marks.at(-1);
    const wanted = this.now - ago;
    // A segment is never shorter in story time than it took: the mapping stays increasing.
    const storyMs = previous ? Math.max(wanted, previous.storyMs + (real.ms - previous.realMs) + 1) : wanted;
    this.marks.push({ real: real.text, realMs: real.ms, storyMs });
  }

  /** Ends the last beat; what is written after this keeps its real time. */
  async stop(): Promise<void> {
    this.end ??= (await this.databaseTime()).text;
  }

  /**
   * Moves the timestamps of a workspace made by this run, written up to the end of the story, to
   * story time.
   */
  async apply(workspaceId: string): Promise<void> {
    await this.stop();
    if (this.marks.length === 0) return;
    // The workspace itself, its system topic and group, and its administrator came just before
    // the first beat: they move with it.
    const from = ["-infinity", ...this.marks.slice(1).map((m) => m.real)];
    const to = [...this.marks.slice(1).map((m) => m.real), this.end];
    const offsetMs = this.marks.map((m) => m.storyMs - m.realMs);
    for (const [table, columns, rows = "true"] of COLUMNS) {
      for (const column of columns) {
        await this.db.query(
          `UPDATE ${table} t SET ${column} = t.${column} + s.offset_ms * interval '1 millisecond'
             FROM unnest($2::timestamptz[], $3::timestamptz[], $4::float8[]) AS s(real_from, real_to, offset_ms)
            WHERE t.workspace_id = $1 AND ${rows} AND t.${column} >= s.real_from AND t.${column} < s.real_to AND t.${column} < $5`,
          [workspaceId, from, to, offsetMs, this.end],
        );
      }
    }
    await this.db.query(`UPDATE workspaces SET created_at = created_at + $2 * interval '1 millisecond' WHERE id = $1`, [
      workspaceId,
      offsetMs[0],
    ]);
  }

  private async databaseTime(): Promise<{ text: string; ms: number }> {
    const { rows } = await this.db.query<{ text: string; ms: number }>(
      `SELECT t::text AS text, extract(epoch FROM t) * 1000 AS ms FROM clock_timestamp() AS t`,
    );
    return { text: rows[0].text, ms: Number(rows[0].ms) };
  }
}
