import type { CodegenConfig } from "@graphql-codegen/cli";

// The API schema is the contract: operations in src/ are checked against it at generation time.
const config: CodegenConfig = {
  schema: "../api/src/schema/**/*.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: "string", JSON: "unknown" },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
      },
    },
  },
};

export default config;
