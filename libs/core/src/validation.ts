import { z } from "zod";
import { badInput } from "./errors";

/** Path of the first string (or key) holding U+0000, which PostgreSQL text cannot store; null when none. */
export function findNulByte(value: unknown, path: string[] = []): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path.join(".") : null;
  if (value === null || typeof value !== "object" || path.length > 64) return null;
  for (const [key, v] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key].join(".");
    const found = findNulByte(v, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

/** Parses untrusted input with a zod schema and turns failures into a typed BAD_USER_INPUT error. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  // Rejected before any rule: a NUL byte would otherwise pass validation and fail inside a write.
  const nulAt = findNulByte(input);
  if (nulAt !== null)
    throw badInput("Input must not contain NUL (\\u0000) characters", [{ path: nulAt, message: "contains a NUL character" }]);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
  throw badInput(`Invalid input: ${summary}`, fields);
}

/** Shared field rules so every transport validates the same way. */
export const fields = {
  username: z
    .string()
    .trim()
    .toLowerCase()
    .min(2, "must be at least 2 characters")
    .max(63, "must be at most 63 characters")
    .regex(/^[a-z][a-z0-9._-]*$/, "must start with a letter and use only a-z, 0-9, '.', '_' or '-'"),
  displayName: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  email: z.string().trim().toLowerCase().max(254, "must be at most 254 characters").pipe(z.email("must be a valid email")),
  password: z.string().min(10, "must be at least 10 characters").max(256, "must be at most 256 characters"),
  name: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .regex(
      /^[\p{L}\p{N}][\p{L}\p{N} ._:/-]*$/u,
      "must start with a letter or digit and use letters, digits, space, '.', '_', ':', '/' or '-'",
    ),
  description: z.string().trim().max(2000, "must be at most 2000 characters"),
  attributeKey: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "must start with a letter and use letters, digits, '_', '.' or '-'"),
  attributeValue: z.string().trim().min(1, "must not be empty").max(500, "must be at most 500 characters"),
};
