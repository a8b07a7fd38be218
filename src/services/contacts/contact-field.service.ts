import type { AuthedContext } from "../../context";
import { returningRows } from "../../db/returning";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { byDisplayOrder, fieldsOf } from "../../db/rows";
import { fieldsVisibleTo, type VisibleField } from "../../auth/visibility";
import { type ContactField, ContactFieldType, FieldAccess } from "../../entities";
import { fail, ok, refusable, type Result, type UserError, UserErrorCode } from "../user-error";

export const MAX_FIELDS = 250;
export const MAX_TEXT_VALUE = 640;
export const RESERVED_KEYS = new Set(["id", "uuid", "name", "urn", "urns", "language", "created_on", "fields", "groups", "tickets"]);

/** The key of a field name: lower snake case, fixed once the field exists. */
export function keyOf(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** A value in its stored form, or why it is not a value of the type. */
export function normalizeValue(type: ContactFieldType, raw: string): { value: string } | { error: string } {
  const text = raw.trim();
  switch (type) {
    case ContactFieldType.TEXT:
      return text.length <= MAX_TEXT_VALUE ? { value: text } : { error: `is longer than ${MAX_TEXT_VALUE} characters` };
    case ContactFieldType.NUMBER: {
      const match = DECIMAL.exec(text);
      if (!match || (match[2] === "" && (match[3] ?? "") === "")) return { error: `"${text.slice(0, 40)}" is not a decimal number` };
      const whole = match[2].replace(/^0+(?=\d)/, "") || "0";
      const fraction = (match[3] ?? "").replace(/0+$/, "");
      if (whole.length + fraction.length > 36) return { error: "has more than 36 digits" };
      const magnitude = fraction ? `${whole}.${fraction}` : whole;
      return { value: match[1] === "-" && magnitude !== "0" ? `-${magnitude}` : magnitude };
    }
    case ContactFieldType.DATETIME: {
      const m = RFC3339.exec(text);
      if (!m) return { error: `"${text.slice(0, 40)}" is not an RFC 3339 date-time with an offset, such as 2024-05-01T09:30:00+02:00` };
      const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
      const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const offsetOk = m[8].toUpperCase() === "Z" || (Number(m[10]) <= 23 && Number(m[11]) <= 59);
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || !offsetOk) {
        return { error: `"${text}" is not a real date and time` };
      }
      return { value: text.replace(/^(.{10})[t ]/, "$1T").replace(/z$/, "Z") };
    }
  }
}

export interface FieldValueInput {
  key: string;
  value?: string | null;
}

export interface FieldDefinitionInput {
  name?: string;
  type?: ContactFieldType;
  featured?: boolean | null;
  agentAccess?: FieldAccess | null;
  priority?: number | null;
}

/** Contact field definitions and values. */
export class ContactFieldService {
  /** Every field of the workspace, in display order. */
  async all(ctx: AuthedContext): Promise<ContactField[]> {
    return (await fieldsOf(ctx.work.em, ctx.actor.workspaceId)).sort(byDisplayOrder);
  }

  /** The fields the actor may see, in display order (the rule is `fieldsVisibleTo`). */
  async visible(ctx: AuthedContext): Promise<VisibleField[]> {
    return fieldsVisibleTo(ctx.actor.role, await ctx.loaders.fields());
  }

  async create(
    ctx: AuthedContext,
    input: Required<Pick<FieldDefinitionInput, "name" | "type">> & FieldDefinitionInput,
  ): Promise<Result<ContactField>> {
    const workspaceId = ctx.actor.workspaceId;
    const name = input.name.trim();
    const key = keyOf(name);
    if (RESERVED_KEYS.has(key)) return fail(UserErrorCode.RESERVED_KEY, `"${key}" is reserved; choose another name.`, ["name"]);
    try {
      return await refusable(ctx.work, async (em) => {
        await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
        const [{ n }] = await em.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM contact_fields WHERE workspace_id = $1`, [
          workspaceId,
        ]);
        if (n >= MAX_FIELDS)
          return fail<ContactField>(UserErrorCode.LIMIT_REACHED, `A workspace has at most ${MAX_FIELDS} contact fields.`);
        const field: ContactField = {
          id: uuidv7(),
          workspaceId,
          key,
          name,
          type: input.type,
          featured: input.featured ?? false,
          priority: input.priority ?? 0,
          agentAccess: input.agentAccess ?? FieldAccess.VIEW,
          createdAt: new Date(),
        };
        await em.query(
          `INSERT INTO contact_fields (id, workspace_id, key, name, type, featured, priority, agent_access) VALUES ($2, $1, $3, $4, $5, $6, $7, $8)`,
          [workspaceId, field.id, key, name, field.type, field.featured, field.priority, field.agentAccess],
        );
        return ok(field);
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === "contact_fields_key_key")
        return fail(UserErrorCode.KEY_TAKEN, `A field with the key "${key}" already exists.`, ["name"]);
      if (constraint === "contact_fields_name_key")
        return fail(UserErrorCode.NAME_TAKEN, `A field named "${name}" already exists.`, ["name"]);
      throw error;
    }
  }

  /** Changes name, featured, priority or agent access; the key and type never change. */
  async update(ctx: AuthedContext, id: string, input: FieldDefinitionInput): Promise<Result<ContactField>> {
    const workspaceId = ctx.actor.workspaceId;
    const sets: string[] = [];
    const params: unknown[] = [workspaceId, id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (input.name !== undefined) set("name", input.name.trim());
    if (input.featured != null) set("featured", input.featured);
    if (input.priority != null) set("priority", input.priority);
    if (input.agentAccess != null) set("agent_access", input.agentAccess);
    try {
      if (sets.length > 0) {
        await ctx.work.savepoint((em) =>
          em.query(`UPDATE contact_fields SET ${sets.join(", ")} WHERE workspace_id = $1 AND id = $2`, params),
        );
      }
    } catch (error) {
      if (uniqueViolation(error) === "contact_fields_name_key") {
        return fail(UserErrorCode.NAME_TAKEN, `A field named "${input.name?.trim()}" already exists.`, ["name"]);
      }
      throw error;
    }
    const field = (await this.all(ctx)).find((f) => f.id === id);
    return field ? ok(field) : fail(UserErrorCode.NOT_FOUND, "No such contact field.", ["id"]);
  }

  /** Deletes a field and every value of it. */
  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const deleted = returningRows<{ id: string }>(
      await ctx.work.query(`DELETE FROM contact_fields WHERE workspace_id = $1 AND id = $2 RETURNING id`, [ctx.actor.workspaceId, id]),
    );
    return deleted.length > 0 ? ok(id) : fail(UserErrorCode.NOT_FOUND, "No such contact field.", ["id"]);
  }

  /**
   * Sets values by key, all or nothing: a null or blank value clears. Agents may set EDIT fields
   * only (FIELD_NOT_EDITABLE for VIEW); a field they may not see is reported as unknown.
   */
  async setValues(ctx: AuthedContext, contactId: string, values: FieldValueInput[]): Promise<Result<true>> {
    const workspaceId = ctx.actor.workspaceId;
    const visible = new Map((await this.visible(ctx)).map((v) => [v.field.key, v]));
    const errors: UserError[] = [];
    const writes: Array<{ fieldId: string; value: string | null }> = [];
    values.forEach((input, i) => {
      const entry = visible.get(input.key);
      if (!entry) {
        errors.push({
          code: UserErrorCode.NOT_FOUND,
          message: `There is no contact field with the key "${input.key}".`,
          field: ["values", String(i), "key"],
        });
        return;
      }
      if (!entry.editable) {
        errors.push({
          code: UserErrorCode.FIELD_NOT_EDITABLE,
          message: `Agents may not edit "${entry.field.name}".`,
          field: ["values", String(i), "key"],
        });
        return;
      }
      if (input.value == null || input.value.trim() === "") {
        writes.push({ fieldId: entry.field.id, value: null });
        return;
      }
      const normalized = normalizeValue(entry.field.type, input.value);
      if ("error" in normalized) {
        errors.push({
          code: UserErrorCode.INVALID_VALUE,
          message: `${entry.field.name}: ${normalized.error}.`,
          field: ["values", String(i), "value"],
        });
        return;
      }
      writes.push({ fieldId: entry.field.id, value: normalized.value });
    });
    if (errors.length > 0) return { ok: false, errors };
    // A key given more than once: its last value counts, as in a JSON object.
    const last = new Map(writes.map((w) => [w.fieldId, w]));
    writes.splice(0, writes.length, ...last.values());
    return refusable(ctx.work, async (em) => {
      const [contact] = await em.query(`SELECT id FROM contacts WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE`, [workspaceId, contactId]);
      if (!contact) return fail<true>(UserErrorCode.NOT_FOUND, "No such contact.", ["contactId"]);
      const clears = writes.filter((w) => w.value === null).map((w) => w.fieldId);
      const sets = writes.filter((w): w is { fieldId: string; value: string } => w.value !== null);
      if (clears.length > 0) {
        await em.query(`DELETE FROM contact_field_values WHERE workspace_id = $1 AND contact_id = $2 AND field_id = ANY($3)`, [
          workspaceId,
          contactId,
          clears,
        ]);
      }
      if (sets.length > 0) {
        await em.query(
          `INSERT INTO contact_field_values (workspace_id, contact_id, field_id, value)
           SELECT $1, $2, f, v FROM unnest($3::uuid[], $4::text[]) AS x(f, v)
           ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value`,
          [workspaceId, contactId, sets.map((s) => s.fieldId), sets.map((s) => s.value)],
        );
      }
      return ok<true>(true);
    });
  }
}
