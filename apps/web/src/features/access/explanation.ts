/** The engine's explanation (`explainAccess` in @steward/policy), as the API returns it in `details`. */
export type ConditionTrace =
  | { kind: "group"; group: string; satisfied: boolean }
  | { kind: "attribute"; key: string; match: "anyOf" | "allOf"; values: string[]; userValues: string[]; satisfied: boolean }
  | { kind: "and" | "or"; satisfied: boolean; children: ConditionTrace[] };

export type PolicyVerdict = {
  policyId: string;
  policyName: string;
  accessType: "READ" | "WRITE";
  restriction: "anyone" | "anyoneWhoAsks" | "users" | "conditions";
  scopeReason: string;
  satisfied: boolean;
  reason: string;
  condition: ConditionTrace | null;
  approval: { requestId: string; expiresAt: string | null } | null;
};

export type Explanation = {
  level: "NONE" | "READ" | "WRITE";
  user: { found: boolean; active: boolean };
  source: { found: boolean; status: string | null };
  mergeRule: "ALL" | "ANY";
  mergeRuleFrom: "source" | "engineDefault";
  policies: PolicyVerdict[];
  tiers: { accessType: "READ" | "WRITE"; policyIds: string[]; granted: boolean }[];
  subscriptions: { subscriptionId: string; accessType: "READ" | "WRITE"; expiresAt: string | null; inForce: boolean }[];
  conflicts: { kind: string; accessType: "READ" | "WRITE"; grantedBy: string[]; deniedBy: string[]; message: string }[];
  reasons: string[];
  nextExpiryAt: string | null;
};
