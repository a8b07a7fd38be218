import type { EntityManager, EntityTarget, FindManyOptions, FindOptionsWhere, ObjectLiteral } from "typeorm";

type Tenanted = ObjectLiteral & { workspaceId: string };

/**
 * Data access confined to one workspace: every read and write it issues carries the workspace
 * id of the request. Services use it for tenant tables; the statement guard refuses any query
 * that slips past it.
 */
export class TenantStore {
  constructor(
    readonly em: EntityManager,
    readonly workspaceId: string,
  ) {}

  private scope<T extends Tenanted>(where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    return { ...where, workspaceId: this.workspaceId } as FindOptionsWhere<T>;
  }

  find<T extends Tenanted>(
    entity: EntityTarget<T>,
    where?: FindOptionsWhere<T>,
    options: Omit<FindManyOptions<T>, "where"> = {},
  ): Promise<T[]> {
    return this.em.find(entity, { ...options, where: this.scope(where) });
  }

  findOne<T extends Tenanted>(entity: EntityTarget<T>, where: FindOptionsWhere<T>): Promise<T | null> {
    return this.em.findOne(entity, { where: this.scope(where) });
  }

  async insert<T extends Tenanted>(entity: EntityTarget<T>, row: Omit<T, "workspaceId">): Promise<T> {
    const full = { ...row, workspaceId: this.workspaceId } as unknown as T;
    await this.em.insert(entity, full);
    return full;
  }

  async update<T extends Tenanted>(entity: EntityTarget<T>, where: FindOptionsWhere<T>, changes: Partial<T>): Promise<number> {
    const result = await this.em.update(entity, this.scope(where), changes);
    return result.affected ?? 0;
  }

  /** Raw SQL for what the finders cannot say; `$1` is always the workspace id. */
  query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.em.query(sql, [this.workspaceId, ...params]);
  }
}
