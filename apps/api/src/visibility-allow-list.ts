export type Caller = "ADMIN" | "GOVERNOR" | "DATA_OWNER" | "CONSUMER" | "KEY_NO_ROLES";
export const ALLOWED: Record<string, Caller[]> = {};
