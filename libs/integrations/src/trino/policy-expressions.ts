// PLACEHOLDER (another helper writes the real file; the integrator merges it): Trino SQL for one
// user's row filter and column masks, compiled from the data-policy intermediate form.
import type { PolicyViewSpec, ProfileRow } from "@steward/policy";

/** The boolean Trino expression restricting `spec`'s source for this user, or null for all rows. */
export function trinoRowFilter(_spec: PolicyViewSpec, _profile: ProfileRow, _salt: string): string | null {
  throw new Error("TODO: trinoRowFilter is not merged yet");
}

/** The Trino expression replacing `column` (of the column's own type) for this user, or null for clear values. */
export function trinoColumnMask(_spec: PolicyViewSpec, _column: string, _profile: ProfileRow, _salt: string): string | null {
  throw new Error("TODO: trinoColumnMask is not merged yet");
}
