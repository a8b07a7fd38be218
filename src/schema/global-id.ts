import { registerDecorator, type ValidationOptions } from "class-validator";
import { isUuid } from "../db/uuid";
import { BadInputError } from "../errors";

/**
 * Global IDs are base64 of "Type:uuid": opaque to clients, resolvable by node(id:), and
 * carrying their type so a Ticket id is never taken for a Topic id.
 */
export function toGlobalId(type: string, uuid: string): string {
  return Buffer.from(`${type}:${uuid}`, "utf8").toString("base64");
}

export function parseGlobalId(id: string): { type: string; uuid: string } | undefined {
  if (id.length === 0 || id.length > 120 || !/^[A-Za-z0-9+/=_-]+$/.test(id)) return undefined;
  const decoded = Buffer.from(id, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  const type = decoded.slice(0, colon);
  const uuid = decoded.slice(colon + 1);
  if (!/^[A-Z][A-Za-z]*$/.test(type) || !isUuid(uuid)) return undefined;
  return { type, uuid };
}

/** The uuid inside a global ID of the given type; a malformed or mistyped ID is BAD_USER_INPUT. */
export function uuidOf(id: string, type: string, field: string): string {
  const parsed = parseGlobalId(id);
  if (!parsed || parsed.type !== type) throw new BadInputError(field, `${field} must be a ${type} ID.`);
  return parsed.uuid;
}

/** class-validator: the value (or each value of a list) is a global ID of the given type. */
export function IsGlobalId(type: string, options?: ValidationOptions): PropertyDecorator {
  const valid = (value: unknown) => {
    if (value === null || value === undefined) return true;
    const parsed = typeof value === "string" ? parseGlobalId(value) : undefined;
    return parsed !== undefined && parsed.type === type;
  };
  // A list is checked whole, so that the message names the element that is not one: `ids.3`
  // (the error formatter takes a message's leading `property.N` as the field).
  const each = options?.each === true;
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: "isGlobalId",
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [type],
      options: {
        ...options,
        each: false,
        message: (args) => {
          const index = each && Array.isArray(args.value) ? args.value.findIndex((v) => !valid(v)) : -1;
          return index >= 0 ? `${args.property}.${index} must be a ${type} ID` : `${args.property} must be a ${type} ID`;
        },
      },
      validator: {
        validate(value: unknown) {
          if (!each) return valid(value);
          return value === null || value === undefined || (Array.isArray(value) && value.every(valid));
        },
      },
    });
  };
}
