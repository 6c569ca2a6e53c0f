#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, like the other apps (`tsx src/main.ts`).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
