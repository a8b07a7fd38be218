/**
 * exportProgress: one export's row, sent when it changes, until it is finished. The process
 * running the export tells its own subscribers at once (ExportRunner.onChange); every subscriber
 * also reads the row every second, so that one connected to another process than the export's
 * follows it too. Polling the exports query reads the same row.
 */
import type { AuthedContext } from "../context";
import { inWorkspaceScope } from "../db/sql-scope";
import { NotFoundError } from "../errors";
import { type ExportRow, FINISHED } from "../services/exports/export.service";

/** How often a subscriber reads the row when nothing told it of a change. */
const REREAD_MS = 1000;

export async function followExport(ctx: AuthedContext, id: string): Promise<AsyncIterableIterator<ExportRow>> {
  const read = () => inWorkspaceScope("exportProgress", ctx.actor.workspaceId, () => ctx.services.exports.find(ctx, id));
  const first = await read();
  if (!first) throw new NotFoundError("No such export of yours.");
  return follow(ctx, id, first, read);
}

async function* follow(
  ctx: AuthedContext,
  id: string,
  first: ExportRow,
  read: () => Promise<ExportRow | undefined>,
): AsyncGenerator<ExportRow> {
  let changed = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = ctx.services.exports.runner.onChange(id, () => {
    changed = true;
    wake?.();
  });
  try {
    let row: ExportRow | undefined = first;
    let sent = "";
    while (row) {
      const state = `${row.status}/${row.rowCount}/${row.totalCount}`;
      if (state !== sent) {
        sent = state;
        yield row;
      }
      if (FINISHED.has(row.status)) return;
      await new Promise<void>((resolve) => {
        if (changed) return resolve();
        wake = resolve;
        timer = setTimeout(resolve, REREAD_MS);
      });
      clearTimeout(timer);
      wake = undefined;
      changed = false;
      row = await read();
    }
  } finally {
    stop();
    clearTimeout(timer);
  }
}
