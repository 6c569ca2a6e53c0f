import type { Logger } from "@steward/core";

export type PassResult = "more" | "idle";
export type PollLoop = { /** Run the next pass now (e.g. on NOTIFY). */ wake(): void; stop(): Promise<void> };

/**
 * Runs `pass` repeatedly: again at once when it reports more work, after `idleMs` otherwise, sooner
 * when woken. Errors back off exponentially (up to 10 s) instead of spinning; `stop` waits for the
 * pass in flight so shutdown never abandons a half-done transaction.
 */
export function startPollLoop(opts: { name: string; logger: Logger; idleMs: number; pass: () => Promise<PassResult> }): PollLoop {
  let stopped = false;
  let wokenDuringPass = false;
  let interruptSleep: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wokenDuringPass || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interruptSleep = null;
        resolve();
      }
      interruptSleep = done;
    });

  const running = (async () => {
    let failures = 0;
    while (!stopped) {
      wokenDuringPass = false;
      let result: PassResult = "idle";
      try {
        result = await opts.pass();
        failures = 0;
      } catch (err) {
        failures++;
        opts.logger.error({ loop: opts.name, err: (err as Error).message, failures }, "loop pass failed");
        await sleep(Math.min(10_000, 100 * 2 ** (failures - 1)));
        continue;
      }
      if (result === "idle") await sleep(opts.idleMs);
    }
  })();

  return {
    wake() {
      wokenDuringPass = true;
      interruptSleep?.();
    },
    async stop() {
      stopped = true;
      interruptSleep?.();
      await running;
    },
  };
}
