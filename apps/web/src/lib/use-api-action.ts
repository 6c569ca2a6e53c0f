"use client";

import { App } from "antd";
import { useCallback } from "react";
import type { OperationResult } from "urql";
import { type ApiError, toApiError } from "./api-error";

/**
 * Runs a mutation and reports the outcome with antd messages. Returns the data, or null after showing
 * the API's error (callers that map field issues onto a form pass `onError`).
 */
export function useApiAction() {
  const { message } = App.useApp();
  return useCallback(
    async <T>(
      run: () => Promise<OperationResult<T>>,
      opts: { success?: string; onError?: (error: ApiError) => boolean | undefined } = {},
    ): Promise<T | null> => {
      const result = await run();
      const error = toApiError(result.error);
      if (error) {
        const handled = opts.onError?.(error) ?? false;
        if (!handled) message.error(error.message);
        return null;
      }
      if (opts.success) message.success(opts.success);
      return result.data ?? null;
    },
    [message],
  );
}
