/**
 * Regular expressions for the regexReplace mask run in PostgreSQL (ARE), Redshift (POSIX) and in JS
 * (the reference evaluator, previews). Only the subset all of them read alike is accepted: the
 * pattern must compile as a JS `u` regex, and constructs that compile in JS but mean something else
 * (or nothing) elsewhere are refused. Returns the reason it is refused, or null.
 */
const REFUSED: ReadonlyArray<[RegExp, string]> = [
  [/\\[1-9]/, "back-references (\\1 …) are not allowed"],
  [/\\k</, "named back-references are not allowed"],
  [/\(\?<[=!]/, "lookbehind is not allowed"],
  [/\(\?<[A-Za-z]/, "named groups are not allowed"],
  [/\(\?[a-zA-Z-]+[:)]/, "inline flags such as (?i) are not allowed"],
  [/\(\?[=!]/, "lookahead is not allowed (POSIX regular expressions have none)"],
  [/\\[bB]/, "\\b and \\B are not allowed (a word boundary in JS, a backspace in PostgreSQL)"],
  [/\\[pP]\{/, "Unicode property escapes (\\p{…}) are not allowed"],
  [/\\[cux]/, "\\c, \\u and \\x escapes are not allowed; write the character itself"],
];

export function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, "u");
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
  // Escaped backslashes cannot start a construct; drop them before looking for constructs.
  const scrubbed = pattern.replace(/\\\\/g, "");
  for (const [re, why] of REFUSED) if (re.test(scrubbed)) return why;
  return null;
}
