import { AppError } from "@steward/core";
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Login throttling in Redis (shared by every API replica); the scheme is described in docs/security.md.
 * Every attempt counts against three windows:
 * - (username, address): tight — stops guessing one account from one place;
 * - username: looser — stops guessing one account from many addresses;
 * - address: loosest — stops spraying many accounts from one place.
 * A successful login refunds its attempt and marks the (username, address) pair as known for a while.
 * When only the username or only the address window is exhausted, known pairs still get through, so an
 * attacker can neither lock a person out of the addresses they use nor lock a whole office out.
 */
export type LoginRateLimiter = {
  /** Counts one attempt; throws RATE_LIMITED when this attempt may not proceed. */
  consume(ip: string, username: string): Promise<void>;
  /** After a successful login: the attempt does not count and the pair becomes known. */
  succeeded(ip: string, username: string): Promise<void>;
};

export type LoginLimits = { perPair: number; perUser: number; perIp: number; windowSeconds: number; knownPairDays: number };

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perPair: 10, perUser: 20, perIp: 100, windowSeconds: 900, knownPairDays: 30 };

type Outcome = { limited: false } | { limited: true; msBeforeNext: number };

async function count(limiter: RateLimiterRedis, key: string): Promise<Outcome> {
  try {
    await limiter.consume(key);
    return { limited: false };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { limited: true, msBeforeNext: err.msBeforeNext };
    throw err;
  }
}

function limited(outcomes: Outcome[]): AppError {
  const ms = Math.max(0, ...outcomes.map((o) => (o.limited ? o.msBeforeNext : 0)));
  return new AppError("RATE_LIMITED", `Too many login attempts. Try again in ${Math.ceil(ms / 1000)} s.`);
}

export function createLoginRateLimiter(redis: Redis, prefix: string, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): LoginRateLimiter {
  const window = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:login:${name}`, points, duration: limits.windowSeconds });
  const perPair = window("pair", limits.perPair);
  const perUser = window("user", limits.perUser);
  const perIp = window("ip", limits.perIp);
  // Usernames are matched case-insensitively at login, so they are counted that way too.
  const userKey = (username: string) => username.trim().toLowerCase().slice(0, 254);
  const pairKey = (ip: string, username: string) => `${userKey(username)}|${ip}`;
  const knownKey = (ip: string, username: string) => `${prefix}:login:known:${pairKey(ip, username)}`;

  return {
    async consume(ip, username) {
      // Counted before the password is checked, so parallel guesses cannot all slip in under the limit.
      const pair = await count(perPair, pairKey(ip, username));
      // A locked pair checks no password, so it teaches the attacker nothing and does not count against the
      // wider windows: one address hammering one account cannot lock that person out of their other addresses.
      if (pair.limited) throw limited([pair]);
      const [user, address, known] = await Promise.all([
        count(perUser, userKey(username)),
        count(perIp, ip),
        redis.exists(knownKey(ip, username)),
      ]);
      if (!known && (user.limited || address.limited)) throw limited([user, address]);
    },
    async succeeded(ip, username) {
      await Promise.all([
        perPair.delete(pairKey(ip, username)),
        perUser.reward(userKey(username), 1),
        perIp.reward(ip, 1),
        redis.set(knownKey(ip, username), "1", "EX", limits.knownPairDays * 86_400),
      ]);
    },
  };
}

/** Caps how many rows one actor may add to the audit log through refused requests. */
export type AuditThrottle = { allow(actorKey: string): Promise<boolean> };

export function createAuditThrottle(redis: Redis, prefix: string, perMinute = 30): AuditThrottle {
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:audit:refused`, points: perMinute, duration: 60 });
  return {
    async allow(actorKey) {
      try {
        await limiter.consume(actorKey);
        return true;
      } catch (err) {
        // Over the cap: drop the row (the metrics still count the refusal). With Redis down, audit anyway.
        return !(err instanceof RateLimiterRes);
      }
    },
  };
}

/**
 * SCIM requests in Redis: each key gets a generous budget per minute (an IdP's full sync is thousands of
 * calls), and every address a small budget of failed authentications, like the login windows above.
 */
export type ScimRateLimiter = {
  /** Counts a request made with a valid key; throws RATE_LIMITED over budget. */
  request(keyId: string): Promise<void>;
  /** Counts a refused bearer from this address; throws RATE_LIMITED over budget. */
  failedAuth(ip: string): Promise<void>;
  /** Throws RATE_LIMITED when this address already spent its failed-authentication budget. */
  checkAddress(ip: string): Promise<void>;
};

export type ScimLimits = { perKeyPerMinute: number; failedAuthPerIp: number; failedAuthWindowSeconds: number };
export const DEFAULT_SCIM_LIMITS: ScimLimits = { perKeyPerMinute: 1200, failedAuthPerIp: 30, failedAuthWindowSeconds: 900 };

export function createScimRateLimiter(redis: Redis, prefix: string, limits: ScimLimits = DEFAULT_SCIM_LIMITS): ScimRateLimiter {
  const perKey = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:scim:key`,
    points: limits.perKeyPerMinute,
    duration: 60,
  });
  const failed = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:scim:failed`,
    points: limits.failedAuthPerIp,
    duration: limits.failedAuthWindowSeconds,
  });
  const refuse = (o: Outcome, what: string) => {
    if (o.limited) throw new AppError("RATE_LIMITED", `Too many ${what}. Try again in ${Math.ceil(o.msBeforeNext / 1000)} s.`);
  };
  return {
    async request(keyId) {
      refuse(await count(perKey, keyId), "SCIM requests");
    },
    async failedAuth(ip) {
      refuse(await count(failed, ip), "failed SCIM authentications");
    },
    async checkAddress(ip) {
      const res = await failed.get(ip);
      if (res && res.consumedPoints >= limits.failedAuthPerIp)
        refuse({ limited: true, msBeforeNext: res.msBeforeNext }, "failed SCIM authentications");
    },
  };
}
