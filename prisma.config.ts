import { defineConfig } from "prisma/config";

// `env("DATABASE_URL")` would throw when unset, even for `generate`, which needs no database.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
