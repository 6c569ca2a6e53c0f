import type { NextConfig } from "next";

const config: NextConfig = {
  // A separate build directory lets e2e build beside a developer's .next without clobbering it.
  distDir: process.env.STEWARD_WEB_DIST_DIR ?? ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // /graphql is rewritten to the API at request time in proxy.ts (STEWARD_API_URL), not here:
  // next.config rewrites are frozen into the build output.
};

export default config;
