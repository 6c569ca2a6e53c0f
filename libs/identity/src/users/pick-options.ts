import { type Actor, parseInput } from "@steward/core";
import { z } from "zod";
import { requirePicker } from "../authz";
import type { IdentityDeps } from "../deps";

/** Pickers show a short list to type into, not a page through the directory. */
export const MAX_PICK_OPTIONS = 50;

const PickInput = z.object({
  search: z.string().trim().max(200).nullish(),
  first: z.number().int().min(1).max(MAX_PICK_OPTIONS).nullish(),
});

export type UserOption = { id: string; username: string; displayName: string };
export type GroupOption = { id: string; name: string };

/**
 * Active users matching a username or display-name fragment, names only. Email is left out of the
 * search on purpose: matching on it would let a picker user probe for addresses they may not read.
 */
export async function listUserOptions(deps: IdentityDeps, actor: Actor | null, input: unknown): Promise<UserOption[]> {
  requirePicker(actor);
  const { search, first } = parseInput(PickInput, input);
  return deps.db.user.findMany({
    where: {
      status: "ACTIVE",
      OR: search
        ? [{ username: { contains: search, mode: "insensitive" } }, { displayName: { contains: search, mode: "insensitive" } }]
        : undefined,
    },
    select: { id: true, username: true, displayName: true },
    orderBy: { username: "asc" },
    take: first ?? 20,
  });
}

/** Groups matching a name fragment, names only (no members). */
export async function listGroupOptions(deps: IdentityDeps, actor: Actor | null, input: unknown): Promise<GroupOption[]> {
  requirePicker(actor);
  const { search, first } = parseInput(PickInput, input);
  return deps.db.group.findMany({
    where: search ? { name: { contains: search, mode: "insensitive" } } : {},
    select: { id: true, name: true },
    orderBy: { name: "asc" },
    take: first ?? 20,
  });
}
