/**
 * Query-time decisions: the seam for platforms that ask Steward at query time instead of receiving
 * grants (Trino's `opa` access control; later any engine with a similar callback). The flow:
 *
 * 1. A reconcile computes the connection's desired state as for any platform (libs/access) and hands
 *    it to the adapter's `access.apply`. A decision adapter does not GRANT: it publishes the state as a
 *    `DecisionSnapshot` through the `DecisionSnapshotStore` it is given (metadata DB row + NOTIFY, in
 *    one transaction), merging a user-scoped delta into the previous snapshot.
 * 2. The decision service (apps/decisions, any number of replicas) holds each connection's newest
 *    snapshot in memory, built once per version into the adapter's own index (`buildIndex`), reloads
 *    on NOTIFY (polling as a fallback) and answers the platform's wire protocol through `answer`
 *    without any database round trip.
 * 3. Every answer carries the decision records the service batches into the query audit.
 *
 * Nothing here names a platform: the service routes `/decisions/<kind>/<connectionId>/…` to
 * `adapterFor(kind).decisions`.
 */
import type { PolicySnapshot } from "@steward/policy";
import type { AccessDesiredState, DataPolicyDesiredState } from "./access-types";

/**
 * What a decision platform needs beyond the neutral desired state; filled by libs/access only for
 * adapters with the `decisions` capability.
 */
export type DecisionExtras = {
  /** Accounts of Steward ADMINs: every permission on the platform. */
  privilegedAccounts: string[];
  /**
   * For users Steward does not know (a setting of the connection may let their platform groups
   * decide): the connection's subscription policies and sources without any user, and Steward's
   * group names → ids (policies refer to groups by id).
   */
  unknownUsers: {
    policies: Omit<PolicySnapshot, "users">;
    groupIdsByName: Record<string, string>;
    /** Purpose names → ids (profiles name purposes, policy conditions refer to ids); absent in old snapshots. */
    purposeIdsByName?: Record<string, string>;
  };
  /**
   * Catalog paths of the containers (e.g. [catalog] and [catalog, schema]) that hold objects the last
   * sync found but nobody registered: such containers stay visible under the unregistered-object
   * setting, while a container whose every known object is governed is shown only to those who may
   * read something in it. Absent in old snapshots (then every container counts as holding some).
   */
  unregisteredContainers?: string[][];
};

/** A published state: full (no delta scope), data policies without the salt. */
export type DecisionSnapshotState = Omit<AccessDesiredState, "scope" | "dataPolicies"> & {
  dataPolicies?: Omit<DataPolicyDesiredState, "hashSalt" | "systemCurrent">;
  decisions: DecisionExtras;
};

/**
 * One published state of a connection: the full desired state (never a delta; `scope` is absent),
 * the hash salt removed (the service derives it from its keyring; secrets never sit in the snapshot).
 */
export type DecisionSnapshot = {
  connectionId: string;
  version: number;
  /** sha256 of the canonical JSON of `state` (drift: is the published snapshot the desired one). */
  hash: string;
  publishedAt: string;
  state: DecisionSnapshotState;
};

/** Where decision adapters publish (implemented over the metadata DB in libs/access). */
export type DecisionSnapshotStore = {
  /** The newest published snapshot of the connection, or null. */
  read(connectionId: string): Promise<DecisionSnapshot | null>;
  /** Replaces the connection's snapshot (only if `version` is newer) and notifies every replica, atomically. */
  publish(snapshot: DecisionSnapshot): Promise<void>;
};

/** One decision for the query audit; the service adds time, connection and snapshot version. */
export type DecisionRecordDraft = {
  /** The platform user as the request named it. */
  user: string;
  /** The Steward user it mapped to, when known. */
  userId: string | null;
  /** The platform's operation name (e.g. `SelectFromColumns`). */
  operation: string;
  /** Human-readable resource (`catalog.schema.table(col1, col2)`), at most a few hundred characters. */
  resource: string;
  allowed: boolean;
  /** Why, in words a person understands (which policy granted it, which group/attribute is missing). */
  reason: string;
  /** Subscription or data policies that decided (for links in the UI). */
  policyIds: string[];
  /** The platform's query id, when it sent one. */
  queryId: string | null;
};

/** The service's answer to one HTTP request of the platform's protocol. */
export type DecisionAnswer = {
  status: number;
  body: unknown;
  records: DecisionRecordDraft[];
};

/** Settings the service applies to every connection (from its environment). */
export type DecisionServiceContext = {
  /** Per-deployment hash salt for hash masks (SecretBox.derive of the data-policy salt label). */
  hashSalt: string;
  now(): Date;
};

export type DecisionsPort<Index = unknown> = {
  /** Endpoint names the service routes (`allow`, `batch`, …); anything else is 404. */
  endpoints: readonly string[];
  /**
   * Builds the query-time index of one snapshot (once per version, off the request path). `config`
   * is the connection's stored config (the platform's decision settings live there).
   */
  buildIndex(snapshot: DecisionSnapshot, config: unknown, context: DecisionServiceContext): Index;
  /**
   * Answers one request. Never throws for bad input: malformed bodies get a 4xx with a message the
   * platform logs; an unknown operation is a deny with a record.
   */
  answer(index: Index, endpoint: string, body: unknown): DecisionAnswer;
  /**
   * Optional: the answer when the service fails closed (its metadata database has been unreachable
   * too long and the deployment chose `fail-closed`): a deny for yes/no questions, an empty list for
   * batch filters, with `reason` in the records. Null (or no method) for endpoints without a safe
   * deny answer (row filters, masks): the service then answers 503 and the platform fails the query.
   */
  failClosed?(endpoint: string, body: unknown, reason: string): DecisionAnswer | null;
  /**
   * The platform-side configuration that points it at Steward (e.g. Trino's
   * `access-control.properties`), as files to show on the connection page.
   */
  clientConfig(input: { baseUrl: string; connectionId: string; token: string }): { fileName: string; content: string }[];
};
