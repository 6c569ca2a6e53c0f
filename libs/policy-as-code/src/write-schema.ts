import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyDocumentJsonSchema } from "./document";

/** Regenerates the published JSON Schema: `npm run -w @steward/policy-as-code schema`. */
export const SCHEMA_FILE = fileURLToPath(new URL("../../../schemas/steward-policies.schema.json", import.meta.url));
export const schemaText = () => `${JSON.stringify(policyDocumentJsonSchema(), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(SCHEMA_FILE, schemaText());
