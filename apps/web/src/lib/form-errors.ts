import type { FormInstance } from "antd";
import type { ApiError } from "./api-error";
import { fieldNameOf } from "./api-error";

/**
 * Puts BAD_USER_INPUT issues next to the fields they concern. Returns the issues no form field
 * matched, so the caller can show them as a general message.
 */
export function applyFieldErrors(form: FormInstance, error: ApiError, fieldNames: readonly string[]): ApiError["fields"] {
  const known = new Set(fieldNames);
  const unmatched: ApiError["fields"] = [];
  const byField = new Map<string, string[]>();
  for (const issue of error.fields) {
    const name = fieldNameOf(issue.path);
    if (known.has(name)) byField.set(name, [...(byField.get(name) ?? []), issue.message]);
    else unmatched.push(issue);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return unmatched;
}
