import type { NextConfig } from "next";

const apiOrigin = (process.env.STEWARD_API_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");

const config: NextConfig = {
  // A separate build directory lets e2e build beside a developer's .next without clobbering it.
  distDir: process.env.STEWARD_WEB_DIST_DIR ?? ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // The browser talks to the API same-origin so the httpOnly session cookie stays first-party.
  async rewrites() {
    return [{ source: "/graphql", destination: `${apiOrigin}/graphql` }];
  },
};

export default config;
