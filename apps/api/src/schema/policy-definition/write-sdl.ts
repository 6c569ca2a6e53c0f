import fs from "node:fs";
import path from "node:path";
import { policyDefinitionSdl } from "./generate-sdl";

// Run by `npm run codegen` before GraphQL Code Generator, which then reads the SDL like any other.
const target = path.join(import.meta.dirname, "schema.graphql");
fs.writeFileSync(target, policyDefinitionSdl());
