import { type Actor, conflict, fields, parseInput } from "@steward/core";
import { isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRole } from "../authz";
import type { IdentityDeps } from "../deps";
import { hashPassword } from "../passwords";
import { assertAccountFree, assertUsableUsername } from "./account-names";
import { userSnapshot } from "./user-snapshot";

const CreateUserInput = z.object({
  username: fields.username,
  displayName: fields.displayName,
  email: fields.email,
  password: fields.password.nullish(),
  roles: z
    .array(z.enum(["ADMIN", "GOVERNOR", "DATA_OWNER"]))
    .max(3)
    .nullish(),
});

export async function createUser(deps: IdentityDeps, actor: Actor | null, input: unknown) {
  const a = requireRole(actor, "ADMIN");
  const data = parseInput(CreateUserInput, input);
  assertUsableUsername(data.username);
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  try {
    return await transaction(deps.db, (tx) =>
      insertUser(tx, a, {
        username: data.username,
        displayName: data.displayName,
        email: data.email,
        passwordHash,
        roles: data.roles ?? [],
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A user with this username or email already exists");
    throw err;
  }
}

export type NewUser = {
  username: string;
  displayName: string;
  email: string;
  passwordHash: string | null;
  roles: readonly ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[];
};

/**
 * The write behind `createUser` in the caller's transaction (single sign-on creates users just in time
 * this way). The caller has validated the fields and checked the username with `assertUsableUsername`.
 */
export async function insertUser(tx: Tx, a: Actor, data: NewUser) {
  await assertAccountFree(tx, { username: data.username });
  const user = await tx.user.create({
    data: {
      username: data.username,
      displayName: data.displayName,
      email: data.email,
      passwordHash: data.passwordHash,
      roles: { create: [...new Set(data.roles)].map((role) => ({ role, grantedById: a.kind === "SYSTEM" ? null : a.userId })) },
    },
  });
  await recordAudit(tx, a, { action: "user.created", targetType: "User", targetId: user.id, after: await userSnapshot(tx, user.id) });
  await emitEvent(tx, { type: "user.created", aggregateType: "User", aggregateId: user.id, payload: { userId: user.id } });
  return user;
}
