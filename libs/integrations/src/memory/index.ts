/** The in-memory adapter, for engine-level tests (not registered for any real kind). */
export { memoryAccess, memoryAdapter } from "./memory.adapter";
export { type MemoryDecisionIndex, memoryDecisionAccess, memoryDecisionAdapter, memoryDecisions } from "./memory-decisions";
export { type MemoryFailure, type MemoryGrant, MemoryPlatform } from "./memory-platform";
