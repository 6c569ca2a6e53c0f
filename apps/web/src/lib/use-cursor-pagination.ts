import { useCallback, useState } from "react";

export type CursorPagination = {
  /** Cursor to pass as `after` for the current page (null on the first page). */
  after: string | null;
  pageIndex: number;
  hasPrevious: boolean;
  next: (endCursor: string | null | undefined) => void;
  previous: () => void;
  reset: () => void;
};

/**
 * Cursor pagination only moves forward, so the way back is a stack of the cursors that opened each
 * page visited so far.
 */
export function useCursorPagination(): CursorPagination {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setStack((s) => [...s, endCursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after: stack.at(-1) ?? null, pageIndex: stack.length - 1, hasPrevious: stack.length > 1, next, previous, reset };
}
