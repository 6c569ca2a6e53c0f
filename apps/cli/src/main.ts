import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

/**
 * `steward plan|apply|export`: policies as code over the GraphQL API, authenticated with an API key
 * (STEWARD_URL, STEWARD_API_KEY). Exit codes: 0 no change (or applied), 2 changes found by `plan`
 * (so CI can guard drift), 1 any error.
 */

export type Env = Record<string, string | undefined>;
type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

const USAGE = `usage: steward <plan|apply|export> [options]
  plan   -f FILE [--json]                 what applying FILE would change (exit 2 when it changes anything)
  apply  -f FILE [--expect-digest SHA] [--json]
  export [-o FILE] [--format yaml|json]   the live state as a file
environment: STEWARD_URL (e.g. http://localhost:4000), STEWARD_API_KEY`;

type GqlError = {
  message: string;
  extensions?: { code?: string; fields?: { path: string; message: string; line?: number; column?: number }[] };
};

class CliError extends Error {}

async function gql<T>(env: Env, query: string, variables: Record<string, unknown>): Promise<T> {
  const url = env.STEWARD_URL;
  const key = env.STEWARD_API_KEY;
  if (!url) throw new CliError("STEWARD_URL is not set");
  if (!key) throw new CliError("STEWARD_API_KEY is not set");
  let res: Response;
  try {
    res = await fetch(new URL("/graphql", url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new CliError(`cannot reach ${url}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: GqlError[] } | null;
  if (!body) throw new CliError(`${url} answered HTTP ${res.status} without a GraphQL body`);
  if (body.errors?.length) {
    const lines = body.errors.flatMap((e) => {
      const fields = e.extensions?.fields ?? [];
      if (fields.length === 0) return [`${e.extensions?.code ?? "ERROR"}: ${e.message}`];
      return fields.map((f) => `${f.line !== undefined ? `line ${f.line}:${f.column ?? 1} ` : ""}${f.path}: ${f.message}`);
    });
    throw new CliError(lines.join("\n"));
  }
  return body.data as T;
}

const CHANGE_FIELDS = "changes { section name action fields { field before after } }";
const PLAN = `query($document: String!) { policyPlan(document: $document) {
  digest changed created updated deleted unchanged gainedCount lostCount ${CHANGE_FIELDS}
  platforms { connection kind statements error } } }`;
const APPLY = `mutation($document: String!, $expectedDigest: String) { applyPolicies(document: $document, expectedDigest: $expectedDigest) {
  digest created updated deleted unchanged ${CHANGE_FIELDS} } }`;
const EXPORT = "query($format: PolicyDocumentFormat) { exportPolicies(format: $format) }";

type Change = { section: string; name: string; action: string; fields: { field: string; before: unknown; after: unknown }[] };
type Summary = { digest: string; created: number; updated: number; deleted: number; unchanged: number; changes: Change[] };
type Plan = Summary & {
  changed: boolean;
  gainedCount: number;
  lostCount: number;
  platforms: { connection: string; kind: string; statements: string[]; error: string | null }[];
};

const SIGN: Record<string, string> = { CREATE: "+", UPDATE: "~", DELETE: "-" };
const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? "null" : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function describe(summary: Summary, done = false): string[] {
  const lines: string[] = [];
  for (const c of summary.changes.filter((x) => x.action !== "UNCHANGED")) {
    lines.push(`${SIGN[c.action] ?? "?"} ${c.section} "${c.name}"`);
    if (c.action === "UPDATE") for (const f of c.fields) lines.push(`    ${f.field}: ${short(f.before)} -> ${short(f.after)}`);
  }
  const [c, u, d] = done ? ["created", "updated", "deleted"] : ["to create", "to update", "to delete"];
  lines.push(`${summary.created} ${c}, ${summary.updated} ${u}, ${summary.deleted} ${d}, ${summary.unchanged} unchanged`);
  return lines;
}

async function readDocument(file: string | undefined): Promise<string> {
  if (!file) throw new CliError("-f FILE is required");
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export async function main(
  argv: string[],
  env: Env,
  out: Out = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f" },
        output: { type: "string", short: "o" },
        format: { type: "string" },
        json: { type: "boolean" },
        "expect-digest": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (err) {
    out.stderr(`${(err as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    out.stdout(`${USAGE}\n`);
    return command || values.help ? 0 : 1;
  }
  try {
    switch (command) {
      case "plan": {
        const document = await readDocument(values.file);
        const { policyPlan: plan } = await gql<{ policyPlan: Plan }>(env, PLAN, { document });
        if (values.json) out.stdout(`${JSON.stringify(plan, null, 2)}\n`);
        else {
          const lines = describe(plan);
          if (plan.gainedCount || plan.lostCount)
            lines.push(`access: ${plan.gainedCount} (user, source) pairs gain, ${plan.lostCount} lose`);
          for (const p of plan.platforms) {
            lines.push(
              `platform ${p.connection} (${p.kind}): ${p.error ? `cannot plan: ${p.error}` : `${p.statements.length} statements`}`,
            );
            for (const s of p.statements) lines.push(`    ${s}`);
          }
          lines.push(`digest ${plan.digest}`);
          out.stdout(`${plan.changed ? "" : "No changes: the live state matches the file.\n"}${lines.join("\n")}\n`);
        }
        return plan.changed ? 2 : 0;
      }
      case "apply": {
        const document = await readDocument(values.file);
        const { applyPolicies: result } = await gql<{ applyPolicies: Summary }>(env, APPLY, {
          document,
          expectedDigest: values["expect-digest"] ?? null,
        });
        if (values.json) out.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else out.stdout(`Applied ${result.digest}\n${describe(result, true).join("\n")}\n`);
        return 0;
      }
      case "export": {
        const format = (values.format ?? (values.output?.endsWith(".json") ? "json" : "yaml")).toUpperCase();
        if (format !== "YAML" && format !== "JSON") throw new CliError("--format is yaml or json");
        const { exportPolicies: text } = await gql<{ exportPolicies: string }>(env, EXPORT, { format });
        if (values.output) await writeFile(values.output, text);
        else out.stdout(text);
        return 0;
      }
      default:
        out.stderr(`unknown command "${command}"\n${USAGE}\n`);
        return 1;
    }
  } catch (err) {
    if (err instanceof CliError) {
      out.stderr(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
