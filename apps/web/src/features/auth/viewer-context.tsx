"use client";

import { createContext, useContext } from "react";
import type { MeQuery } from "@/gql/graphql";
import { type Capability, can } from "./access";

export type Viewer = NonNullable<MeQuery["me"]>;

const ViewerContext = createContext<Viewer | null>(null);

export const ViewerProvider = ViewerContext.Provider;

export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer must be used inside the authenticated layout");
  return viewer;
}

export function useCan(capability: Capability): boolean {
  return can(useViewer().roles, capability);
}
