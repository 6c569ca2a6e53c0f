import { createHash } from "node:crypto";
import { AppError, type FieldIssue } from "@steward/core";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type PolicyDocument, policyDocumentSchema, SECTIONS } from "./document";

/**
 * Reads a policy-as-code file (YAML, or JSON, which the YAML parser reads as the flow subset) into a
 * checked document. Limits are enforced before and while parsing: size, nesting and aliases (a
 * "billion laughs" file expands nothing). Every error names the field path and the line and column.
 */

export const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliases: 50 } as const;

export type Format = "YAML" | "JSON";
export type PathSegment = string | number;
export type Position = { line: number; column: number };

export type ParsedDocument = {
  document: PolicyDocument;
  /** sha256 of the file's bytes (hex): recorded in the audit row, checked by `expectedDigest`. */
  digest: string;
  /** The position of a field (or of its nearest present ancestor); used for reference errors too. */
  locate: (path: readonly PathSegment[]) => Position;
};

export const digestOf = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** `subscriptionPolicies[3].scope.kind`. */
export const formatPath = (path: readonly PathSegment[]) =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(document)";

export function issueAt(locate: ParsedDocument["locate"], path: readonly PathSegment[], message: string): FieldIssue {
  const { line, column } = locate(path);
  return { path: formatPath(path), message, line, column };
}

export function documentError(issues: FieldIssue[]): AppError {
  const shown = issues.slice(0, 20);
  const summary = shown.map((i) => `line ${i.line ?? "?"}:${i.column ?? "?"} ${i.path}: ${i.message}`).join("; ");
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "";
  return new AppError("BAD_USER_INPUT", `Invalid policy file: ${summary}${more}`, { fields: issues });
}

/**
 * Flow nesting (`[[[[…`) is counted before the parser sees the text, so a deeply nested file costs a
 * linear scan, not a deep recursion. Block nesting needs one more indentation per level, so it cannot
 * get deep within the size limit without also being caught by the tree walk below.
 */
function flowDepthProblem(text: string): Position | null {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      line++;
      lineStart = i + 1;
      if (quote === "#") quote = null;
      continue;
    }
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) quote = "#";
    else if (c === "[" || c === "{") {
      if (++depth > LIMITS.maxDepth) return { line, column: i - lineStart + 1 };
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return null;
}

function nodeDepth(node: unknown, depth = 0): number {
  if (depth > LIMITS.maxDepth) return depth;
  if (isMap(node)) return Math.max(depth, ...node.items.map((p) => nodeDepth(p.value, depth + 1)));
  if (isSeq(node)) return Math.max(depth, ...node.items.map((v) => nodeDepth(v, depth + 1)));
  return depth;
}

function locator(root: Node | null, lines: LineCounter): ParsedDocument["locate"] {
  const at = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return (path) => {
    let node: unknown = root;
    let best = at(0);
    if (root?.range) best = at(root.range[0]);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
        if (!pair) return best;
        const key = pair.key as Node;
        if (key.range) best = at(key.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
        const r = (node as Node | null)?.range;
        if (!r) return best;
        best = at(r[0]);
      } else return best;
    }
    return best;
  };
}

/** Keys zod's objects dropped: the input had them, the output does not (unknown keys). */
function unknownKeys(input: unknown, output: unknown, path: PathSegment[], out: PathSegment[][]) {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((v, i) => {
      unknownKeys(v, output[i], [...path, i], out);
    });
  } else if (input && output && typeof input === "object" && typeof output === "object" && !Array.isArray(input)) {
    for (const [k, v] of Object.entries(input)) {
      if (!(k in (output as object))) out.push([...path, k]);
      else unknownKeys(v, (output as Record<string, unknown>)[k], [...path, k], out);
    }
  }
}

function zodIssues(error: z.ZodError, locate: ParsedDocument["locate"]): FieldIssue[] {
  return error.issues.map((i) => {
    const path = i.path.filter((p): p is PathSegment => typeof p !== "symbol");
    return issueAt(locate, path, i.message);
  });
}

/** Names identify objects, so two objects of one section may not share a name (nor a source twice). */
function duplicateNames(doc: PolicyDocument, locate: ParsedDocument["locate"]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const section of SECTIONS) {
    const items = (doc[section] ?? []) as { name: string; connection?: string }[];
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const key = section === "dataSources" ? `${item.connection}\u0000${item.name}` : item.name;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else issues.push(issueAt(locate, [section, i, "name"], `duplicate name "${item.name}" (first at ${section}[${first}])`));
    });
  }
  return issues;
}

function purposeCycles(doc: PolicyDocument, locate: ParsedDocument["locate"]): FieldIssue[] {
  const parentOf = new Map((doc.purposes ?? []).map((p) => [p.name, p.parent]));
  const issues: FieldIssue[] = [];
  (doc.purposes ?? []).forEach((p, i) => {
    const seen = new Set<string>([p.name]);
    for (let at = p.parent; at; at = parentOf.get(at)) {
      if (seen.has(at)) {
        issues.push(issueAt(locate, ["purposes", i, "parent"], "purposes nest in a cycle"));
        break;
      }
      seen.add(at);
    }
  });
  return issues;
}

export function parsePolicyDocument(text: string): ParsedDocument {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > LIMITS.maxBytes)
    throw documentError([{ path: "(document)", message: `the file is ${bytes} bytes; at most ${LIMITS.maxBytes}`, line: 1, column: 1 }]);
  const deep = flowDepthProblem(text);
  if (deep) throw documentError([{ path: "(document)", message: `nested deeper than ${LIMITS.maxDepth} levels`, ...deep }]);

  const lines = new LineCounter();
  const yaml = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const locate = locator(yaml.contents as Node | null, lines);
  const syntax = [...yaml.errors];
  if (syntax.length > 0) {
    throw documentError(
      syntax.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { path: "(document)", message: e.message.split("\n")[0] ?? e.code, line: pos.line, column: pos.col };
      }),
    );
  }
  if (nodeDepth(yaml.contents) > LIMITS.maxDepth)
    throw documentError([{ path: "(document)", message: `nested deeper than ${LIMITS.maxDepth} levels`, line: 1, column: 1 }]);
  let raw: unknown;
  try {
    raw = yaml.toJS({ maxAliasCount: LIMITS.maxAliases });
  } catch (err) {
    throw documentError([{ path: "(document)", message: (err as Error).message, line: 1, column: 1 }]);
  }
  const parsed = policyDocumentSchema.safeParse(raw ?? {});
  if (!parsed.success) throw documentError(zodIssues(parsed.error, locate));
  const extra: PathSegment[][] = [];
  unknownKeys(raw, parsed.data, [], extra);
  const issues = [
    ...extra.map((p) => issueAt(locate, p, `unknown key "${String(p.at(-1))}"`)),
    ...duplicateNames(parsed.data, locate),
    ...purposeCycles(parsed.data, locate),
  ];
  if (issues.length > 0) throw documentError(issues);
  return { document: parsed.data, digest: digestOf(text), locate };
}
