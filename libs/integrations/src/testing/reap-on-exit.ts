/**
 * Servers that tests start in their own process group (Trino, the UC server) outlive the test process
 * when a setup times out before the fixture exists to stop them, and keep loading the machine. This
 * kills the group when the test process exits, however the test ended; a normal stop unregisters it.
 */
const groups = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  groups.clear();
}

/** Kills process group `pid` when this process exits; the returned function forgets it (after a stop). */
export function reapOnExit(pid: number): () => void {
  if (!hooked) {
    hooked = true;
    process.once("exit", killAll);
  }
  groups.add(pid);
  return () => {
    groups.delete(pid);
  };
}
