import { runAccessContract } from "../contract/access-contract";
import { databricksContractFixture } from "./testing/databricks-fixture";

// The Databricks flavor (Steward's account groups) against the local SCIM + UC permissions server:
// no Databricks workspace runs here. The OSS flavor runs against the real server (unity-catalog.contract.int.test.ts).
runAccessContract("Unity Catalog adapter, Databricks flavor (local SCIM + permissions server)", databricksContractFixture);
