import { runAccessContract } from "../contract/access-contract";
import { snowflakeContractFixture } from "./testing/fixture";

// Against the local wire emulator through the official snowflake-sdk (no real Snowflake account).
runAccessContract("snowflake (wire emulator)", snowflakeContractFixture);
