/** SCIM 2.0 schema URNs and the attribute definitions Steward serves (RFC 7643 §4, §7, §8.7). */
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
export const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
export type AttributeDef = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference" | "dateTime";
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: "always" | "default" | "never" | "request";
  uniqueness: "none" | "server" | "global";
  subAttributes?: AttributeDef[];
  description: string;
};

function a(name: string, description: string, opts: Partial<Omit<AttributeDef, "name" | "description">> = {}): AttributeDef {
  return {
    name,
    type: "string",
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    description,
    ...opts,
  };
}

const multi = (
  name: string,
  description: string,
  sub: AttributeDef[] = [
    a("value", "The value"),
    a("type", "A label"),
    a("primary", "The primary value", { type: "boolean" }),
    a("display", "A human-readable name"),
  ],
) => a(name, description, { type: "complex", multiValued: true, subAttributes: sub });

export const USER_ATTRIBUTES: AttributeDef[] = [
  a("userName", "The IdP's unique name for the user; Steward derives its username from it", { required: true, uniqueness: "server" }),
  a("name", "The user's name parts", {
    type: "complex",
    subAttributes: ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"].map((n) => a(n, n)),
  }),
  a("displayName", "The name shown in Steward"),
  ...["nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone"].map((n) =>
    a(n, `${n} (stored only when mapped)`),
  ),
  a("active", "false deactivates the user in Steward: sessions, keys and platform access end", { type: "boolean" }),
  a("password", "Not stored: Steward users provisioned by SCIM sign in through the IdP", { mutability: "writeOnly", returned: "never" }),
  multi("emails", "The first primary (else work, else any) email becomes the Steward email"),
  ...["phoneNumbers", "ims", "photos", "addresses", "entitlements", "roles", "x509Certificates"].map((n) =>
    multi(n, `${n} (stored only when mapped)`),
  ),
  {
    ...multi("groups", "Groups the user belongs to (change them through /Groups)", [a("value", "Group id"), a("display", "Group name")]),
    mutability: "readOnly",
  },
];

export const ENTERPRISE_ATTRIBUTES: AttributeDef[] = [
  ...["employeeNumber", "costCenter", "organization", "division", "department"].map((n) =>
    a(n, `${n} (stored when mapped to a Steward attribute)`),
  ),
  a("manager", "The user's manager", {
    type: "complex",
    subAttributes: [a("value", "Manager id"), a("displayName", "Manager name", { mutability: "readOnly" })],
  }),
];

export const GROUP_ATTRIBUTES: AttributeDef[] = [
  a("displayName", "The Steward group name", { required: true, uniqueness: "server" }),
  multi("members", "Users in the group", [
    a("value", "User id", { mutability: "immutable" }),
    a("display", "User name", { mutability: "readOnly" }),
    a("type", "User"),
  ]),
];

/** Attributes common to every resource (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES = ["id", "externalId", "meta", "schemas"] as const;

export type ResourceKind = "User" | "Group";

/** Core attribute definitions per resource, by lower-cased name (SCIM names are case-insensitive). */
export function coreAttribute(kind: ResourceKind, name: string): AttributeDef | undefined {
  const list = kind === "User" ? USER_ATTRIBUTES : GROUP_ATTRIBUTES;
  return list.find((d) => d.name.toLowerCase() === name.toLowerCase());
}

export function enterpriseAttribute(name: string): AttributeDef | undefined {
  return ENTERPRISE_ATTRIBUTES.find((d) => d.name.toLowerCase() === name.toLowerCase());
}

function schemaResource(id: string, name: string, description: string, attributes: AttributeDef[], baseUrl: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${id}` },
  };
}

export function schemaResources(baseUrl: string) {
  return [
    schemaResource(USER_SCHEMA, "User", "User Account", USER_ATTRIBUTES, baseUrl),
    schemaResource(GROUP_SCHEMA, "Group", "Group", GROUP_ATTRIBUTES, baseUrl),
    schemaResource(ENTERPRISE_SCHEMA, "EnterpriseUser", "Enterprise User", ENTERPRISE_ATTRIBUTES, baseUrl),
  ];
}

export function resourceTypes(baseUrl: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User Account",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Group",
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

export const MAX_PAGE_SIZE = 200;
export const MAX_PATCH_OPERATIONS = 100;

export function serviceProviderConfig(baseUrl: string, docsUrl: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: docsUrl,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Steward SCIM API key",
        description: "A Steward API key created with the SCIM scope, sent as 'Authorization: Bearer <key>'",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        documentationUri: docsUrl,
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}
