import fs from "node:fs";
import path from "node:path";
import { dataPolicyDefinitionSdl, policyDefinitionSdl } from "./generate-sdl";

// Run by `npm run codegen` before GraphQL Code Generator, which then reads the SDL like any other.
fs.writeFileSync(path.join(import.meta.dirname, "schema.graphql"), policyDefinitionSdl());
fs.writeFileSync(path.join(import.meta.dirname, "..", "data-policy-definition", "schema.graphql"), dataPolicyDefinitionSdl());
