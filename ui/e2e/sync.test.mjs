// The workstation's sync UI in a real Chromium against `hall serve`, at 1366×768: the top bar on a
// workstation not enrolled with head office (said quietly, with the records waiting), "sync now"
// pressed twice at once sending one request, the first-start screen of a database without users
// by keyboard alone in Chinese and in English (choosing the demo outlet, and the enrolment form's
// own checks), the settings card, and the day-end's line of payments not yet at head office.
// Screenshots go to test-artifacts/sync-*.png.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifacts, call, counterPage, customerDraft, demoDatabase, enterReading, hallBinary, launchChromium, loginAs, serve } from "./harness.mjs";

const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
let demo, browser;
const servers = [];

/** A database with the schema and no users: what a workstation holds on its first start. */
function emptyDatabase() {
  const db = join(mkdtempSync(join(tmpdir(), "hall-e2e-empty-")), "hall.db");
  execFileSync(hallBinary, ["--db", db, "status"], { stdio: "ignore" });
  return db;
}

async function started(db) {
  const server = await serve(db);
  servers.push(server);
  return server;
}

before(async () => {
  demo = await started(demoDatabase(200));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.stop();
});

const shot = (page, name) => page.screenshot({ path: join(artifacts, `sync-${name}.png`) });

async function signedIn(username, password, { lang = "zh-CN" } = {}) {
  const page = await counterPage(browser, "about:blank");
  await page.addInitScript((l) => localStorage.setItem("hall.lang", l), lang);
  await page.goto(demo.url);
  await loginAs(page, username, password);
  await page.getByTestId("current-user").waitFor();
  return page;
}

test("a workstation not enrolled says so quietly in the top bar, with what waits to be sent", async () => {
  const { token } = await call(demo.url, "session.login", { username: "clerk", password: "clerk1234" });
  const status = await call(demo.url, "sync.status", {}, token);
  assert.equal(status.enrolled, false);
  assert.ok(status.pending_events > 0, "the demo's records wait for head office");

  const page = await signedIn("clerk", "clerk1234");
  const indicator = page.getByTestId("sync-indicator");
  await page.locator("[data-testid=sync-indicator][data-state=not_enrolled]").waitFor();
  const tag = page.getByTestId("sync-status");
  assert.equal(await tag.innerText(), `未连接总部 · 待上传 ${status.pending_events} 条`);
  // Quiet: a grey tag, no error colour, no failure text, no "last success" of a sync never meant to run.
  assert.doesNotMatch(await tag.getAttribute("class"), /ant-tag-(red|orange|error|warning)/);
  assert.doesNotMatch(await indicator.innerText(), /失败|错误/);
  assert.equal(await page.getByTestId("sync-last-success").count(), 0);
  await tag.hover();
  await page.getByTestId("sync-details").waitFor();
  await page.waitForTimeout(400); // the popover's fade-in
  assert.match(await page.getByTestId("sync-details").innerText(), /本机尚未连接总部[\s\S]*待上传记录\D{0,3}\d+/);
  await shot(page, "01-not-enrolled");

  await page.getByTestId("lang-switch").click();
  await page.getByText(`Not enrolled · ${status.pending_events} to send`, { exact: true }).waitFor();
  await page.close();
});

test("sync now pressed twice at once sends one request and says why it cannot run", async () => {
  const page = await signedIn("clerk", "clerk1234");
  const sent = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/invoke") && JSON.parse(r.postData() ?? "{}").cmd === "sync.now") sent.push(r);
  });
  const button = page.getByTestId("sync-now");
  await button.waitFor();
  const isSyncNow = (r) => r.url().endsWith("/api/invoke") && JSON.parse(r.request().postData() ?? "{}").cmd === "sync.now";
  // Two clicks in one task: the second comes before the first's answer, as a double press does.
  let answered = page.waitForResponse(isSyncNow);
  await button.evaluate((b) => {
    b.click();
    b.click();
  });
  const reply = await (await answered).json();
  await page.waitForTimeout(500);
  assert.equal(sent.length, 1, "one sync.now for a double press");
  // Refused (not enrolled): the core's reason in plain words beside the button; never a broken shell.
  if (reply.error) {
    await page.getByTestId("sync-now-problem").getByText(reply.error.messages[0].zh).waitFor();
    assert.equal(await page.getByTestId("sync-now-problem").innerText(), reply.error.messages[0].zh);
  }
  // From the keyboard too: Enter on the focused button is one more press.
  answered = page.waitForResponse(isSyncNow);
  await button.focus();
  await page.keyboard.press("Enter");
  await answered;
  await page.waitForTimeout(300);
  assert.equal(sent.length, 2, "Enter sends sync.now");
  // The shell is whole after the refusals: the search box still answers.
  await page.getByTestId("customer-search").fill("3300000001");
  await page.getByTestId("search-results").getByText("3300000001").waitFor();
  await shot(page, "02-sync-now-refused");
  await page.close();
});

/** The first start in `lang`: the choice by keyboard, the enrolment form's own checks, the demo. */
async function firstStart(lang) {
  const server = await started(emptyDatabase());
  const setup = await call(server.url, "setup.state", {});
  assert.deepEqual(setup, { has_users: false, enrolled: false });
  const page = await counterPage(browser, "about:blank");
  await page.addInitScript((l) => localStorage.setItem("hall.lang", l), lang);
  await page.goto(server.url);
  const zh = lang === "zh-CN";
  await page.getByTestId("first-start").waitFor();
  assert.match(await page.getByTestId("first-start").innerText(), zh ? /首次启动[\s\S]*连接总部[\s\S]*使用演示营业网点/ : /First start[\s\S]*Enrol with head office[\s\S]*Run on the demo outlet/);
  // In English nothing is Chinese but the language switch's own name.
  if (!zh) assert.doesNotMatch((await page.getByTestId("first-start").innerText()).replace("中文", ""), /[\u4e00-\u9fff]/, "no Chinese in English mode");
  await shot(page, `03-first-start-${lang}`);

  // The first choice has the focus: Enter opens the enrolment form, whose checks come before the core's.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "setup-choose-enrol");
  await page.keyboard.press("Enter");
  await page.getByTestId("setup-enrol").waitFor();
  await page.keyboard.type("hq.example.invalid");
  await page.keyboard.press("Tab");
  await page.keyboard.type("ABCD-1234");
  await page.keyboard.press("Enter");
  await page.getByTestId("setup-error").waitFor();
  assert.equal(await page.getByTestId("setup-error").innerText(), zh ? "总部地址以 https:// 开头" : "The address starts with https://");
  await shot(page, `04-enrol-form-${lang}`);
  await page.keyboard.press("Escape");
  await page.getByTestId("first-start").waitFor();

  // ↓ and Enter: the demo outlet; then the login form, and its users log in.
  await page.getByTestId("setup-choose-enrol").focus();
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "setup-choose-demo");
  await page.keyboard.press("Enter");
  await page.locator("input#username").waitFor({ timeout: 300_000 }); // the demo outlet: 20,000 customers
  assert.equal((await call(server.url, "setup.state", {})).has_users, true);
  await page.locator("input#username").fill("clerk");
  await page.locator("input#password").fill("clerk1234");
  await page.keyboard.press("Enter");
  await page.getByTestId("current-user").waitFor();
  await page.close();
}

test("first start by keyboard in Chinese: enrolment's checks, then the demo outlet", () => firstStart("zh-CN"));
test("first start by keyboard in English: enrolment's checks, then the demo outlet", () => firstStart("en"));

test("an administrator's settings show the enrolment card with its form while not enrolled", async () => {
  const page = await signedIn("admin", "admin1234");
  await page.getByRole("menuitem", { name: "设置" }).click();
  const card = page.getByTestId("sync-card");
  await card.waitFor();
  await page.getByTestId("sync-enrol-form").waitFor();
  assert.match(await card.innerText(), /总部同步[\s\S]*未连接总部[\s\S]*营业网点[\s\S]*待上传记录/);
  await page.getByTestId("sync-enrol-submit").click();
  await page.getByTestId("sync-enrol-error").waitFor();
  assert.equal(await page.getByTestId("sync-enrol-error").innerText(), "必填");
  await card.scrollIntoViewIfNeeded();
  await shot(page, "05-settings-card");
  await page.close();

  // A clerk has no such card.
  const clerk = await signedIn("clerk", "clerk1234");
  await clerk.getByRole("menuitem", { name: "设置" }).click();
  await clerk.getByText("修改密码").waitFor();
  assert.equal(await clerk.getByTestId("sync-card").count(), 0);
  await clerk.close();
});

test("the day-end says plainly which payments are not yet at head office, and their total", async () => {
  const { token } = await call(demo.url, "session.login", { username: "manager", password: "manager1234" });
  const page = await signedIn("manager", "manager1234");
  // The line as it stands once it names `text` (the day-end asks sync.status again when it opens).
  const unsentLine = async (text) => {
    await page.keyboard.press("Alt+6");
    const line = page.getByTestId("dayend-unsent").filter({ hasText: text });
    await line.waitFor();
    return line.innerText();
  };
  const before = await call(demo.url, "sync.status", {}, token);
  if (before.pending_payments > 0) {
    await unsentLine(`尚有 ${before.pending_payments} 笔收费（¥${yuan(before.pending_payments_fen)}）未上传总部`);
  }

  // One more payment at this counter: the line counts it and adds its amount.
  const saved = await call(demo.url, "customer.create", customerDraft("3392000001", "林平"), token);
  const customer = saved.view.customer.id;
  await enterReading(demo.url, token, customer, "3392000001", "2026-10", 250);
  await call(demo.url, "desk.open", { float: 20_000 }, token);
  const quote = await call(demo.url, "payment.quote", { customer_id: customer }, token);
  const amount = quote.total_due > 0 ? quote.total_due : 10_000;
  await call(demo.url, "payment.post", {
    customer_id: customer, amount, tenders: [{ kind: "cash", amount, reference: null }], idempotency_key: "sync-e2e-1", confirmed_large_cash: false,
  }, token);
  const after = await call(demo.url, "sync.status", {}, token);
  assert.equal(after.pending_payments, before.pending_payments + 1);
  assert.equal(after.pending_payments_fen, before.pending_payments_fen + amount);

  await page.keyboard.press("Alt+1");
  const text = await unsentLine(`尚有 ${after.pending_payments} 笔收费（¥${yuan(after.pending_payments_fen)}）未上传总部`);
  assert.match(text, /可离线日结/);
  await page.getByTestId("dayend-unsent").scrollIntoViewIfNeeded();
  await shot(page, "06-day-end-unsent");

  await page.getByTestId("lang-switch").click();
  await page.getByText(`${after.pending_payments} payments (¥${yuan(after.pending_payments_fen)}) not yet sent to head office`).waitFor();
  await page.getByTestId("dayend-unsent").scrollIntoViewIfNeeded();
  await shot(page, "07-day-end-unsent-en");
  await page.close();
});
