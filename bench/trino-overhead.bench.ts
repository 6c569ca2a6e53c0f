/**
 * Issue #9: the cost of Steward on Trino's query path. The same query mix runs as one user through
 * two real Trino 476 servers on the same warehouse: one with `access-control.name=opa` answered by
 * Steward's decision service, one with `allow-all`. Queries alternate between the two (so drift in
 * machine load hits both alike) after a warm-up. Goal: median latency ratio ≤ 1.3×.
 *
 *   npm run bench -- trino-overhead [--rounds 40]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { startTrino } from "@steward/integrations/trino/testing";
import { median, percentile, startTrinoStack } from "./trino-stack";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "40" }, warmup: { type: "string", default: "5" } } });
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);

const MIX = {
  simpleSelect: "SELECT id, amount FROM postgresql.sales.orders WHERE id <= 20",
  showTables: "SHOW TABLES FROM postgresql.sales",
  maskedSelect: "SELECT id, email FROM postgresql.hr.employees ORDER BY id LIMIT 20",
  filteredCount: "SELECT count(*) FROM postgresql.hr.employees",
} as const;

async function main() {
  const stack = await startTrinoStack("trino_overhead");
  const open = await startTrino({ accessControl: { kind: "allow-all" }, postgresql: { url: stack.warehouseUrl } });
  try {
    const user = stack.alice.username;
    const timed = async (server: typeof open, text: string) => {
      const t = performance.now();
      const r = await stack.query(server, user, text);
      if (typeof r === "string") throw new Error(`${text}: ${r}`);
      return performance.now() - t;
    };
    // Sanity: the governed server masks and filters, the open one does not.
    const governed = await stack.query(stack.trino, user, MIX.filteredCount);
    const ungoverned = await stack.query(open, user, MIX.filteredCount);
    if (typeof governed === "string" || typeof ungoverned === "string") throw new Error("sanity queries failed");
    if (!(Number(governed.rows[0]![0]) < Number(ungoverned.rows[0]![0]))) throw new Error("the row filter did not apply");

    const samples: Record<string, { opa: number[]; allowAll: number[] }> = {};
    for (const name of Object.keys(MIX)) samples[name] = { opa: [], allowAll: [] };
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const [name, text] of Object.entries(MIX)) {
        // Alternate which server goes first, so neither always meets a warmer cache.
        const first = round % 2 === 0;
        const a = first ? await timed(stack.trino, text) : 0;
        const b = await timed(open, text);
        const c = first ? a : await timed(stack.trino, text);
        if (round >= WARMUP) {
          samples[name]!.opa.push(c);
          samples[name]!.allowAll.push(b);
        }
      }
    }
    const perQuery = Object.fromEntries(
      Object.entries(samples).map(([name, s]) => [
        name,
        {
          opaMedianMs: Number(median(s.opa).toFixed(1)),
          allowAllMedianMs: Number(median(s.allowAll).toFixed(1)),
          ratio: Number((median(s.opa) / median(s.allowAll)).toFixed(2)),
        },
      ]),
    );
    const allOpa = Object.values(samples).flatMap((s) => s.opa);
    const allOpen = Object.values(samples).flatMap((s) => s.allowAll);
    await stack.service.flushAudit();
    const decisions = await stack.db.decisionRecord.count({ where: { connectionId: stack.connectionId } });
    const figures = {
      benchmark: "trino-overhead",
      rounds: ROUNDS,
      queries: Object.keys(MIX).length,
      opaMedianMs: Number(median(allOpa).toFixed(1)),
      allowAllMedianMs: Number(median(allOpen).toFixed(1)),
      medianRatio: Number((median(allOpa) / median(allOpen)).toFixed(2)),
      opaP90Ms: Number(percentile(allOpa, 90).toFixed(1)),
      allowAllP90Ms: Number(percentile(allOpen, 90).toFixed(1)),
      perQuery,
      decisionsRecorded: decisions,
      goal: "median ratio ≤ 1.3",
      cpus: os.cpus().length,
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    };
    for (const [name, q] of Object.entries(perQuery))
      console.log(`${name.padEnd(14)} opa ${q.opaMedianMs} ms  allow-all ${q.allowAllMedianMs} ms  ×${q.ratio}`);
    console.log(`query mix median: opa ${figures.opaMedianMs} ms vs allow-all ${figures.allowAllMedianMs} ms → ×${figures.medianRatio}`);
    console.log(JSON.stringify(figures));
  } finally {
    await open.stop();
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
