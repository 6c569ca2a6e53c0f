import { createLogger } from "@steward/core";
import { describe, expect, it } from "vitest";
import { type PassResult, startPollLoop } from "./poll-loop";

const logger = createLogger({ name: "test", level: "silent" });
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("poll loop", () => {
  it("runs again at once while a pass reports more work, then idles", async () => {
    const results: PassResult[] = ["more", "more", "idle"];
    let passes = 0;
    const loop = startPollLoop({ name: "t", logger, idleMs: 10_000, pass: async () => results[passes++] ?? "idle" });
    await tick(50);
    expect(passes).toBe(3);
    await loop.stop();
  });
  it("wakes early, including when woken during a pass", async () => {
    let passes = 0;
    let loopRef: { wake(): void } | undefined;
    const loop = startPollLoop({
      name: "t",
      logger,
      idleMs: 10_000,
      pass: async () => {
        passes++;
        if (passes === 2) loopRef?.wake(); // a notification arriving mid-pass must not be lost
        return "idle";
      },
    });
    loopRef = loop;
    await tick(20);
    expect(passes).toBe(1);
    loop.wake();
    await tick(20);
    expect(passes).toBe(3);
    await loop.stop();
  });
  it("backs off after errors and stops promptly", async () => {
    let passes = 0;
    const loop = startPollLoop({
      name: "t",
      logger,
      idleMs: 5,
      pass: async () => {
        passes++;
        throw new Error("db down");
      },
    });
    await tick(350);
    expect(passes).toBeGreaterThan(1);
    expect(passes).toBeLessThan(6);
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(100);
  });
});
