/**
 * `npm run -w @steward/e2e stack`: the e2e stack without the tests, for poking at it by hand or taking
 * screenshots. Ctrl-C stops it and drops its database.
 */
import { API_URL, DECISIONS_URL, startStack, WEB_URL } from "./stack";

const stack = await startStack();
process.stdout.write(
  `web ${WEB_URL}  api ${API_URL}/graphql  decisions ${DECISIONS_URL}  database ${stack.databaseName}\nCtrl-C to stop.\n`,
);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(() => process.exit(0));
  });
}
