/**
 * Issue #9: a policy change visible in Trino's next query. A governor alternately grants and revokes
 * one user's READ on a table (editing the policy's user list); the worker (this process, production
 * code path: outbox NOTIFY → dispatch → reconcile → snapshot publish + NOTIFY) and the decision
 * service (reload on NOTIFY) carry it to a real Trino 476. Measured from the commit to:
 * - `served`: the decision service answering from the new snapshot (what Trino's next query asks);
 * - `trino`: a query through Trino, repeated back to back, first returning the new outcome.
 * Goal: p50 ≤ 300 ms.
 *
 *   npm run bench -- trino-policy-latency [--changes 30]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { createPolicy, updatePolicy } from "@steward/access";
import { median, percentile, startTrinoStack } from "./trino-stack";

const { values } = parseArgs({ options: { changes: { type: "string", default: "30" } } });
const CHANGES = Number(values.changes);

async function main() {
  const stack = await startTrinoStack("trino_latency");
  try {
    const d = { db: stack.db };
    const definition = (userIds: string[]) => ({
      restriction: { kind: "users" as const, userIds },
      scope: { kind: "sources" as const, sourceIds: [stack.ids.budgets] },
    });
    const { policy } = await createPolicy(d, stack.governor, {
      name: "latency",
      accessType: "READ",
      ...definition([stack.governor.userId]),
    });
    while (!(await stack.settled())) await new Promise((r) => setTimeout(r, 20));
    const readable = async () =>
      typeof (await stack.query(stack.trino, stack.alice.username, "SELECT code FROM postgresql.finance.budgets")) !== "string";
    if (await readable()) throw new Error("alice must start without access");
    const served: number[] = [];
    const trino: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const grant = i % 2 === 0;
      const before = stack.service.cache.get(stack.connectionId)?.served?.version ?? 0;
      await updatePolicy(d, stack.governor, {
        id: policy.id,
        name: "latency",
        accessType: "READ",
        ...definition(grant ? [stack.governor.userId, stack.alice.id] : [stack.governor.userId]),
      });
      const committed = performance.now();
      const watchServed = (async () => {
        while ((stack.service.cache.get(stack.connectionId)?.served?.version ?? 0) <= before) {
          if (performance.now() - committed > 30_000) throw new Error(`change ${i}: no new snapshot in 30 s`);
          await new Promise((r) => setTimeout(r, 1));
        }
        served.push(performance.now() - committed);
      })();
      while ((await readable()) !== grant) {
        if (performance.now() - committed > 30_000) throw new Error(`change ${i} not visible in Trino within 30 s`);
      }
      trino.push(performance.now() - committed);
      await watchServed;
      // Let the run settle (audit flush, reconcile record) before the next change.
      while (!(await stack.settled())) await new Promise((r) => setTimeout(r, 20));
    }
    const round = (x: number) => Math.round(x);
    const figures = {
      benchmark: "trino-policy-latency",
      changes: CHANGES,
      servedP50Ms: round(median(served)),
      servedP90Ms: round(percentile(served, 90)),
      trinoP50Ms: round(median(trino)),
      trinoP90Ms: round(percentile(trino, 90)),
      trinoMaxMs: round(Math.max(...trino)),
      goal: "policy change visible in Trino's next query: p50 ≤ 300 ms",
      cpus: os.cpus().length,
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    };
    console.log(
      `commit → decision service serves it: p50 ${figures.servedP50Ms} ms; → Trino query shows it: p50 ${figures.trinoP50Ms} ms, p90 ${figures.trinoP90Ms} ms`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
