import { AppError } from "@steward/core";
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Login throttling in Redis (shared by every API replica): per username+IP to stop guessing one
 * account, and per IP to stop spraying many accounts. Successful logins reset the username counter.
 */
export type LoginRateLimiter = {
  consume(ip: string, username: string): Promise<void>;
  reset(ip: string, username: string): Promise<void>;
};

export function createLoginRateLimiter(
  redis: Redis,
  prefix: string,
  opts = { perAccount: 10, perIp: 100, windowSeconds: 300 },
): LoginRateLimiter {
  const perAccount = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:login:acct`,
    points: opts.perAccount,
    duration: opts.windowSeconds,
  });
  const perIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:login:ip`,
    points: opts.perIp,
    duration: opts.windowSeconds,
  });
  const accountKey = (ip: string, username: string) => `${ip}|${username.trim().toLowerCase().slice(0, 254)}`;
  return {
    async consume(ip, username) {
      try {
        await Promise.all([perAccount.consume(accountKey(ip, username)), perIp.consume(ip)]);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          const seconds = Math.ceil(err.msBeforeNext / 1000);
          throw new AppError("RATE_LIMITED", `Too many login attempts. Try again in ${seconds} s.`);
        }
        throw err;
      }
    },
    async reset(ip, username) {
      await perAccount.delete(accountKey(ip, username));
    },
  };
}
