import { runAccessContract } from "../contract/access-contract";
import { HOSTILE_NAMES } from "../sql/hostile-names";
import { memoryAdapter } from "./memory.adapter";
import { MemoryPlatform } from "./memory-platform";

function fixture(revokeUnmanaged: boolean) {
  return async () => {
    const platform = new MemoryPlatform();
    const adapter = memoryAdapter(platform, { revokeUnmanaged });
    const objects = [
      { id: "o0", path: ["wh", "sales", "orders"], objectType: "TABLE" },
      { id: "o1", path: ["wh", "sales", "customers"], objectType: "VIEW" },
      { id: "o2", path: ["wh", HOSTILE_NAMES[0]!, HOSTILE_NAMES[3]!], objectType: "TABLE" },
    ];
    for (const o of objects) platform.addObject(o.path);
    const path = (id: string) => objects.find((o) => o.id === id)!.path;
    return {
      adapter,
      connection: { config: {}, credentials: {} },
      objects,
      accounts: ["alice", 'Bob "W"', HOSTILE_NAMES[1]!, "carol"],
      levelOf: async (account: string, o: { id: string }) => platform.levelOf(path(o.id), account),
      tamper: async (account: string, o: { id: string }) => platform.setGrant(path(o.id), account, null),
      grantByHand: async (account: string, o: { id: string }) => platform.grantByHand(path(o.id), account, "READ"),
      failure: (kind: "TRANSIENT" | "PERMANENT") => {
        platform.failNext(kind);
        return { connection: { config: {}, credentials: {} }, desired: <T>(d: T) => d };
      },
      cleanup: async () => {},
    };
  };
}

runAccessContract("in-memory adapter", fixture(true));
runAccessContract("in-memory adapter without unmanaged-grant revocation", fixture(false));
