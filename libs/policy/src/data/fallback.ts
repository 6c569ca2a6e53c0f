import { constantValue } from "./evaluate-expr";
import type { ColumnType, Mask, MaskKind } from "./types";

/**
 * Type fallbacks: what a mask does on a column type it does not fit. Explicit, recorded on the view
 * column and shown to users (docs/data-policies.md has the table):
 *
 * | mask         | fits                         | otherwise                                                   |
 * |--------------|------------------------------|-------------------------------------------------------------|
 * | null         | every type                   | –                                                           |
 * | constant     | a value valid in the type    | authoring error when the column is known, else null         |
 * | hash         | text                         | hash of the text form; the view column becomes text         |
 * | regexReplace | text                         | hash of the text form (text); a regex over a number or date's text form is rarely meant |
 * | roundNumber  | integer, decimal, float      | null                                                        |
 * | roundDate    | date, timestamp, timestamptz | null                                                        |
 * | showLast     | text                         | applied to the text form; the view column becomes text      |
 *
 * `other` (arrays, JSON, binary…) only takes null, and hash/showLast on its text form.
 */
export type Fallback = {
  requested: MaskKind;
  applied: Mask;
  reason: string;
  /** The view column's type changes to text. */
  toText: boolean;
  /** A constant the type cannot hold (an authoring error when the column is known). */
  unrepresentable?: boolean;
  constant?: string;
};

const NUMBER: readonly ColumnType[] = ["integer", "decimal", "float"];
const DATE: readonly ColumnType[] = ["date", "timestamp", "timestamptz"];

/** null when the mask fits the type as it is. */
export function fallbackOf(mask: Mask, type: ColumnType): Fallback | null {
  switch (mask.kind) {
    case "null":
      return null;
    case "constant":
      if (type === "other")
        return {
          requested: "constant",
          applied: { kind: "null" },
          reason: "a constant cannot be typed for this column; NULL instead",
          toText: false,
          unrepresentable: true,
          constant: mask.value,
        };
      return constantValue(mask.value, type) === null
        ? {
            requested: "constant",
            applied: { kind: "null" },
            reason: `the constant is not a valid ${type}; NULL instead`,
            toText: false,
            unrepresentable: true,
            constant: mask.value,
          }
        : null;
    case "hash":
      return type === "text"
        ? null
        : { requested: "hash", applied: mask, reason: "hashes the value's text form; the column becomes text", toText: true };
    case "regexReplace":
      return type === "text"
        ? null
        : {
            requested: "regexReplace",
            applied: { kind: "hash" },
            reason: "a regex needs text; the value's text form is hashed instead and the column becomes text",
            toText: true,
          };
    case "roundNumber":
      return NUMBER.includes(type)
        ? null
        : { requested: "roundNumber", applied: { kind: "null" }, reason: "only numbers can be rounded; NULL instead", toText: false };
    case "roundDate":
      return DATE.includes(type)
        ? null
        : {
            requested: "roundDate",
            applied: { kind: "null" },
            reason: "only dates and timestamps can be rounded; NULL instead",
            toText: false,
          };
    case "showLast":
      return type === "text"
        ? null
        : { requested: "showLast", applied: mask, reason: "applied to the value's text form; the column becomes text", toText: true };
  }
}
