import DataLoader from "dataloader";
import { type DataSource, In } from "typeorm";
import { User } from "../entities";

/** Batches per request: each loader issues one statement per tick, whatever the page size. */
export interface Loaders {
  user: DataLoader<string, User | null>;
}

function byId<T extends { id: string }>(rows: T[], ids: readonly string[]): Array<T | null> {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

export function createLoaders(db: DataSource): Loaders {
  return {
    user: new DataLoader(async (ids) => byId(await db.getRepository(User).findBy({ id: In([...ids]) }), ids)),
  };
}
