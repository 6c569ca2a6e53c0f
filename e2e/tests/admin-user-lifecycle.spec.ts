import { expect, test } from "@playwright/test";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

test("an admin creates a user, adds them to a group, sets an attribute, and finds all three in the audit log", async ({ page }) => {
  const admin = await ApiClient.signIn("admin");
  const group = await admin.createGroup();
  const username = uniqueName("ada");

  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users & groups" }).click();
  await expect(page.getByRole("heading", { name: "Users & groups" })).toBeVisible();

  // Create the user through the modal form.
  await page.getByRole("button", { name: "Create user" }).click();
  const dialog = page.getByRole("dialog", { name: "Create user" });
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByLabel("Display name").fill("Ada Lovelace");
  await dialog.getByLabel("Email").fill(`${username}@example.test`);
  await dialog.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { name: /Ada Lovelace/ })).toBeVisible();
  await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  const userId = page.url().split("/").at(-1)!;

  // Add to the group with the group picker.
  await chooseOption(page, "Group to add", group.name);
  await page.getByRole("button", { name: "Add to group" }).click();
  await expect(page.getByRole("link", { name: group.name })).toBeVisible();

  // Set a multi-valued attribute (tags-mode select: type, Enter, type, Enter).
  await page.getByRole("combobox", { name: "Attribute key" }).fill("region");
  const values = page.getByRole("combobox", { name: "Values" });
  await values.fill("eu-west");
  await values.press("Enter");
  await values.fill("us-east");
  await values.press("Enter");
  await page.getByRole("button", { name: "Set attribute" }).click();
  const attributeRow = page.getByRole("row", { name: /region/ });
  await expect(attributeRow).toContainText("eu-west");
  await expect(attributeRow).toContainText("us-east");

  // The audit log, filtered to this user, shows the creation and the attribute.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
  await page.getByLabel("Target ID").fill(userId);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const table = page.getByRole("table");
  await expect(table.getByRole("cell", { name: "user.created", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "user.attribute.set", exact: true })).toBeVisible();

  // Membership is recorded against the group; the row expands to show who was added.
  await page.getByLabel("Target ID").fill(group.id);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const memberRow = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "group.member.added", exact: true }) });
  await expect(memberRow).toBeVisible();
  await memberRow.getByRole("button", { name: /expand/i }).click();
  await expect(page.getByLabel("After")).toContainText(username);

  await admin.dispose();
});
