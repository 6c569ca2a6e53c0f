#!/usr/bin/env node
// `npm run bench -- <name>`: runs bench/<name>.bench.ts against the real services. Each benchmark's
// last output line is one JSON object of its figures.
import fs from "node:fs";
import path from "node:path";
import { root, run } from "./lib.mjs";

const name = process.argv[2];
const available = fs.existsSync(path.join(root, "bench"))
  ? fs
      .readdirSync(path.join(root, "bench"))
      .filter((f) => f.endsWith(".bench.ts"))
      .map((f) => f.replace(/\.bench\.ts$/, ""))
  : [];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${available.join(", ") || "none yet"})`);
  process.exit(2);
}
run(process.execPath, [
  "--experimental-wasm-modules",
  "--no-warnings",
  "--import",
  "tsx",
  `bench/${name}.bench.ts`,
  ...process.argv.slice(3),
]);
