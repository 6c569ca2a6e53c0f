import { expect, test } from "@playwright/test";
import { OIDC_ISSUER, OIDC_PROVIDER_NAME } from "../src/stack";

test.describe("single sign-on", () => {
  test("signs in through the provider's login page and lands in Steward with the mapped groups", async ({ page }) => {
    await page.goto("/settings");
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByRole("link", { name: `Sign in with ${OIDC_PROVIDER_NAME}` }).click();

    // The provider's own (development) login page, on its own origin.
    await expect(page).toHaveURL(new RegExp(`^${OIDC_ISSUER}/interaction/`));
    await page.getByPlaceholder("Enter any login").fill("sso-fiona");
    await page.getByPlaceholder("and password").fill("any-password");
    await page.getByRole("button", { name: "Sign-in" }).click();

    // Back in Steward, where the sign-in started, as the user created on first sign-in.
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    const profile = page.getByTestId("profile-card");
    await expect(profile.getByText("fiona@idp.example.com")).toBeVisible();
    const groups = profile.getByLabel("Your groups");
    await expect(groups.getByText("analysts", { exact: true })).toBeVisible();
    await expect(groups.getByText("finance", { exact: true })).toBeVisible();
    // Only existing Steward groups are mapped by default.
    await expect(groups.getByText("only-at-the-idp")).toHaveCount(0);
    await expect(profile.getByText("department: Finance")).toBeVisible();
  });

  test("shows why a sign-in failed", async ({ page }) => {
    await page.goto("/auth/oidc/callback?code=forged&state=forged");
    await expect(page).toHaveURL(/\/login\?sso_error=FLOW_EXPIRED/);
    await expect(page.getByRole("alert").filter({ hasText: "took too long or was started in another browser" })).toBeVisible();
    // Passwords are on in this deployment: the form is there beside the provider's button.
    await expect(page.getByLabel("Password")).toBeVisible();
  });
});
