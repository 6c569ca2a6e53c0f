/**
 * A small tokenizer with Databricks SQL's lexical rules for the parts Steward produces: `…` delimited
 * identifiers (`` doubled), '…' string literals (backslash escapes live), words, numbers and
 * punctuation. Golden tests read statements back with it to prove a hostile name stays ONE quoted
 * identifier (or one literal) and never becomes SQL. Test-only; no real server speaks here.
 */
export type DbxToken =
  | { t: "word"; v: string; quoted: boolean }
  | { t: "string"; v: string }
  | { t: "number"; v: string }
  | { t: "punct"; v: string };

export function lexDatabricks(sql: string): DbxToken[] {
  const out: DbxToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "`") {
      let v = "";
      for (i++; ; i++) {
        if (i >= sql.length) throw new Error("unterminated identifier");
        if (sql[i] === "`") {
          if (sql[i + 1] === "`") {
            v += "`";
            i++;
          } else break;
        } else v += sql[i];
      }
      i++;
      out.push({ t: "word", v, quoted: true });
    } else if (c === "'") {
      let v = "";
      for (i++; ; i++) {
        if (i >= sql.length) throw new Error("unterminated string");
        if (sql[i] === "\\") v += sql[++i] ?? "";
        else if (sql[i] === "'") break;
        else v += sql[i];
      }
      i++;
      out.push({ t: "string", v });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      out.push({ t: "word", v: m.toUpperCase(), quoted: false });
      i += m.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(sql.slice(i))![0];
      out.push({ t: "number", v: m });
      i += m.length;
    } else if (c === "-" && sql[i + 1] === "-") {
      throw new Error(`comment outside a literal at ${i}: ${sql.slice(i, i + 40)}`);
    } else if (c === ";") {
      throw new Error(`statement separator outside a literal at ${i}`);
    } else {
      out.push({ t: "punct", v: c });
      i++;
    }
  }
  return out;
}
