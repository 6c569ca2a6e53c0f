"use client";

import { App, ConfigProvider, Spin } from "antd";
import enUS from "antd/locale/en_US";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { Provider } from "urql";
import { createApiClient } from "./urql-client";

// System font stacks only: no web-font downloads (the app must build and run offline).
const FONT_STACK = `-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif`;

function goToLogin() {
  const here = `${window.location.pathname}${window.location.search}`;
  if (!window.location.pathname.startsWith("/login")) window.location.assign(`/login?next=${encodeURIComponent(here)}`);
}

/**
 * Everything below talks to the API from the browser (the session cookie is httpOnly and same-origin),
 * so nothing renders until the client has mounted: no server-side fetches against a relative URL.
 */
export function Providers({ children }: { children: ReactNode }) {
  const client = useMemo(() => createApiClient(goToLogin), []);
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <ConfigProvider locale={enUS} theme={{ token: { fontFamily: FONT_STACK, colorPrimary: "#2b5fd9" } }}>
      <App>
        <Provider value={client}>
          {mounted ? (
            children
          ) : (
            <div style={{ display: "grid", placeItems: "center", minHeight: "100vh" }}>
              <Spin size="large" description="Loading Steward…" />
            </div>
          )}
        </Provider>
      </App>
    </ConfigProvider>
  );
}
