// Logs in to the orgca portal through an organisation's identity provider (the real
// OpenID provider of oidc-provider.mjs) in the system Chromium, and tries what must be
// refused: ID tokens that are forged, expired, for another client, from another issuer
// or with another nonce; a person the organisation does not have (or has in another
// organisation only); the return address replayed after logout; and a return address
// opened in another browser than the one that started the login.
// Called by crates/orgca/tests/e2e/sso.rs, which reads the JSON this prints last.
import assert from "node:assert/strict";
import { check as checkPage, env, launch, run } from "./common.mjs";

const base = env("ORGCA_BASE");
const issuer = env("OIDC_ISSUER");
const cvr = env("ORGCA_CVR");
const report = { pages: [], requests_elsewhere: [], refused: {} };

const browser = await launch();

async function newPage() {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  // The provider's development login page asks for a web font; nothing here goes out.
  await page.route("https://fonts.googleapis.com/**", (r) => r.abort());
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith(issuer) && !u.startsWith("https://fonts.googleapis.com/")) {
      report.requests_elsewhere.push(u);
    }
  });
  return page;
}

const check = (page, name) => checkPage(page, report, name);

// From the organisation's own login page to the provider, logged in there as `login`;
// answers the page once the browser is back at orgca, and the return address it used.
async function throughProvider(page, login, { stopAtReturn = false, organisation = cvr } = {}) {
  let back = "";
  page.on("request", (r) => {
    if (r.url().startsWith(base + "/portal/login/sso/back/")) back = r.url();
  });
  // Stopping the browser on its way back takes the DevTools protocol: playwright's own
  // routing does not see the hops of a redirect, and the way back is one.
  let stopped = null;
  if (stopAtReturn) {
    const cdp = await page.context().newCDPSession(page);
    stopped = new Promise((resolve) => {
      cdp.on("Fetch.requestPaused", async (e) => {
        await cdp.send("Fetch.failRequest", { requestId: e.requestId, errorReason: "Aborted" });
        await cdp.send("Fetch.disable");
        resolve(e.request.url);
      });
    });
    await cdp.send("Fetch.enable", {
      patterns: [{ urlPattern: base + "/portal/login/sso/back/*", requestStage: "Request" }],
    });
  }
  // As someone who does not know the organisation's own login page: the CVR number in
  // the general login page's form, then the provider's link.
  await page.goto(`${base}/portal/login`);
  await page.getByLabel("Your organisation's CVR number").fill(organisation);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("link", { name: "Go to your organisation's login" }).click();
  await page.waitForURL((u) => u.href.startsWith(issuer));
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  if (stopped) {
    back = await stopped;
  } else {
    await page.waitForURL((u) => u.href.startsWith(base));
    await page.waitForLoadState();
  }
  return back;
}

async function refusal(page) {
  const alert = await page.getByRole("alert").innerText();
  // No session came of it.
  await page.goto(base + "/portal");
  assert.match(new URL(page.url()).pathname, /^\/portal\/login/);
  return alert;
}

await run(browser, report, async () => {
  // The organisation's own login page: its provider, and no password form when the
  // organisation has switched passwords off.
  const page = await newPage();
  await page.goto(`${base}/portal/login?organisation=${cvr}`);
  report.password_form_shown = (await page.getByLabel("Password").count()) > 0;
  await check(page, "sso-login");

  // A good login lands in the portal, as the administrator the provider vouched for.
  const back = await throughProvider(page, env("ORGCA_EMAIL"));
  await page.waitForURL(`${base}/portal`);
  report.logged_in = (await page.getByRole("button", { name: "Log out" }).count()) === 1;
  report.portal_text = await page.locator("body").innerText();
  await check(page, "sso-portal");
  // The settings page says how the organisation logs in.
  await page.goto(base + "/portal/settings");
  report.settings_text = await page.locator("body").innerText();
  await check(page, "sso-settings");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/portal\/login/);
  report.logged_out = true;

  // The same return address (state and code) again, with the cookie it had put back:
  // refused, the state was used.
  await page.context().addCookies([
    { name: "orgca_sso", value: new URL(back).searchParams.get("state"), url: `${base}/portal/login/sso/` },
  ]);
  await page.goto(back);
  report.refused.replayed = await refusal(page);

  // Bad ID tokens, each from a browser of its own.
  for (const prefix of [
    "forged", "expired", "wrongaud", "twoaud", "azp", "wrongiss", "badnonce", "none", "hs256",
    "unverified",
  ]) {
    const p = await newPage();
    await throughProvider(p, `${prefix}-${env("ORGCA_EMAIL")}`);
    report.refused[prefix] = await refusal(p);
    await p.context().close();
  }

  // Someone the provider knows but the organisation does not, or has only in another
  // organisation.
  for (const [name, login] of [["stranger", env("ORGCA_STRANGER")], ["other_org", env("ORGCA_OTHER_ORG_EMAIL")]]) {
    const p = await newPage();
    await throughProvider(p, login);
    report.refused[name] = await refusal(p);
    if (name === "stranger") await check(p, "sso-refused");
    await p.context().close();
  }

  // A return address carried to another browser (a login forced on someone else):
  // refused, as that browser never started the login; the browser that did still can
  // finish it (the refusal used nothing up).
  const started = await newPage();
  const stolen = await throughProvider(started, env("ORGCA_EMAIL"), { stopAtReturn: true });
  const victim = await newPage();
  await victim.goto(stolen);
  report.refused.other_browser = await refusal(victim);
  await started.goto(stolen);
  await started.waitForURL(`${base}/portal`);
  report.finished_after_refusal = true;

  // A code for one organisation's login brought to another organisation's return
  // address (a provider mix-up): refused, in the browser that started the login.
  const mixed = await newPage();
  const other = await throughProvider(mixed, env("ORGCA_EMAIL"), {
    stopAtReturn: true,
    organisation: env("ORGCA_OTHER_CVR"),
  });
  await mixed.goto(other.replace(`/back/${env("ORGCA_OTHER_CVR")}?`, `/back/${cvr}?`));
  report.refused.mix_up = await refusal(mixed);

});
