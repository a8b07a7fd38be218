import { registerDecorator, type ValidationOptions } from "class-validator";
import { BadInputError } from "../errors";

/** The string's length after trimming is within [min, max]. */
export function TrimmedLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: "trimmedLength",
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [min, max],
      options: {
        message: min > 0 ? `$property must be ${min} to ${max} characters, not blank` : `$property must be at most ${max} characters`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (value === null || value === undefined) return true;
          if (typeof value !== "string") return false;
          const length = value.trim().length;
          return length >= min && length <= max;
        },
      },
    });
  };
}

/**
 * Inputs that are alternatives to one another. Each call names them in the order a message lists
 * them; a value counts as given unless it is null, absent or false (so a flag such as
 * `allTopics: true` is one of the alternatives). The error names `field` (the first by default).
 */
type Alternatives = Record<string, unknown>;

const given = (value: unknown) => value !== null && value !== undefined && value !== false;

/** Refuses unless exactly one of the alternatives is given. */
export function requireExactlyOne(alternatives: Alternatives, field = Object.keys(alternatives)[0]): void {
  const names = Object.keys(alternatives);
  if (names.filter((name) => given(alternatives[name])).length !== 1) {
    throw new BadInputError(field, `Give exactly one of ${names.join(" and ")}.`);
  }
}

/** Refuses when every one of the alternatives is given. */
export function forbidBoth(alternatives: Alternatives, field = Object.keys(alternatives)[0]): void {
  const names = Object.keys(alternatives);
  if (names.every((name) => given(alternatives[name]))) throw new BadInputError(field, `Give ${names.join(" or ")}, not both.`);
}
