import { registerDecorator, type ValidationOptions } from "class-validator";

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
