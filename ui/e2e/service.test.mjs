// Service requests (工单) in a real Chromium against `hall serve`: a complaint from intake through
// reply and callback to closing by keyboard, with the refusals on the way (empty intake; closing
// before the callback, not offered on screen and refused by the core) and a double press that
// accepts once; a report the customer
// is not satisfied with going back to the manager, who sees it in the badge; a fault repair's deadlines
// in minutes; the screens in English. The same refusals straight through /api/invoke. The clock
// is fixed (Monday 2026-11-02, 10:00 CST) so that the deadlines are known. Screenshots go to
// test-artifacts/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { artifacts, call, counterPage, hallBinary, launchChromium, loginAs, serve } from "./harness.mjs";

/** Monday 2 November 2026, 10:00 in the outlet (CST). */
const NOW = "2026-11-02T02:00:00Z";
let server, browser, page, token, customer;
const shot = (name) => page.screenshot({ path: join(artifacts, `service-${name}.png`) });

before(async () => {
  const db = join(mkdtempSync(join(tmpdir(), "hall-e2e-")), "hall.db");
  execFileSync(hallBinary, ["--db", db, "--now", NOW, "demo", "--customers", "200", "--history", "2"], { stdio: "ignore" });
  server = await serve(db, { HALL_NOW: NOW });
  token = (await call(server.url, "session.login", { username: "manager", password: "manager1234" })).token;
  customer = (await call(server.url, "customer.search", { text: "3300000007", offset: 0, limit: 1 }, token)).hits[0];
  browser = await launchChromium();
  page = await counterPage(browser, server.url);
});

let finished = 0;
afterEach(async () => {
  finished += 1;
  await shot(`end-of-test-${finished}`).catch(() => {});
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function login(username, password) {
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(server.url);
  await loginAs(page, username, password);
  await page.getByTestId("current-user").waitFor();
}

/** Waits until the action dialog's text box has the focus (the modal takes it as it opens). */
const textFocused = () => page.waitForFunction(() => document.activeElement?.dataset.testid === "act-text");

const total = async () => (await call(server.url, "service.list", { due: "all", state: null, category: null, assignee: null, customer_id: null, offset: 0, limit: 1 }, token)).total;

test("a complaint from intake through reply and callback to closing, by keyboard", async () => {
  await login("clerk", "clerk1234");
  await page.keyboard.press("Alt+4");
  await page.getByTestId("requests").waitFor();
  await page.keyboard.press("n");
  await page.getByTestId("request-intake").waitFor();
  // The category has the focus: 故障报修 → 业务咨询 → 信息查询 → 投诉.
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  await page.getByTestId("intake-complaint-class").waitFor();
  // The deadlines follow the category as the core computes them.
  await page.getByTestId("intake-deadlines").getByText(/联系客户 · 24小时 · 2026\/11\/3 10:00:00前/).waitFor();
  assert.match(await page.getByTestId("intake-deadlines").innerText(), /答复客户 · 4 ?个工作日 · 2026\/11\/7 00:00:00前/);

  // Accepting it empty names every missing field at once and writes nothing.
  const before = await total();
  await page.keyboard.press("Control+Enter");
  const errors = await page.getByTestId("intake-errors").innerText();
  for (const text of ["请选择投诉分类", "请填写客户诉求", "未关联客户时须留下来电人的电话"]) assert.match(errors, new RegExp(text));
  assert.equal(await total(), before);
  await shot("01-intake-errors");

  // Tab to the complaint's class and choose 营业; Tab to the customer search, type, Enter.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "request-customer-search");
  await page.keyboard.type(customer.account);
  await page.locator(".results tr.row-active").waitFor();
  await page.keyboard.press("Enter");
  await page.getByTestId("intake-customer").waitFor();
  await page.getByTestId("intake-content").focus();
  await page.keyboard.type("上月电费比往常高出一倍，要求核实");
  await shot("02-intake-filled");
  // A double press accepts once.
  await page.keyboard.press("Control+Enter");
  await page.keyboard.press("Control+Enter");
  await page.getByTestId("request-detail").waitFor();
  assert.equal(await total(), before + 1);
  assert.match(await page.getByTestId("request-number").innerText(), /^GD330106-01-\d+-\d{6}$/);
  assert.match(await page.getByTestId("request-state").innerText(), /已受理/);

  // Reply (the dialog's text has the focus; Enter sends).
  await page.getByTestId("act-reply").focus();
  await page.keyboard.press("Enter");
  await textFocused();
  await page.keyboard.type("经核实为抄表示数录入错误，已更正并退补差额");
  await page.keyboard.press("Enter");
  await page.getByTestId("act-reply").waitFor({ state: "detached" });
  assert.match(await page.getByTestId("request-state").innerText(), /已答复/);

  // Closing before the callback is not offered; straight through the command set it is refused,
  // with the reason, in both languages.
  assert.equal(await page.getByTestId("act-close").count(), 0);
  const list = await call(server.url, "service.list", { due: "all", state: "replied", category: "complaint", assignee: null, customer_id: null, offset: 0, limit: 1 }, token);
  const current = await call(server.url, "service.get", { id: list.rows[0].id }, token);
  const refused = await fetch(`${server.url}/api/invoke`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ cmd: "service.act", args: { id: current.request.id, expected_version: current.request.version, act: { action: "close", note: "" } } }),
  }).then((r) => r.json());
  assert.equal(refused.error.messages[0].code, "request.callback_required");
  assert.match(refused.error.messages[0].zh, /投诉须回访客户、记录满意度后方可办结/);
  assert.match(refused.error.messages[0].en, /closes only after a callback/);
  await shot("03-replied-awaiting-callback");

  // The callback: the number to call is shown whole; 基本满意 by arrow key, the comment, Enter.
  await page.getByTestId("act-callback").focus();
  await page.keyboard.press("Enter");
  await page.getByTestId("act-outcome").waitFor();
  assert.match(await page.locator(".ant-modal-body").innerText(), /请致电/);
  await page.getByTestId("act-outcome").getByText("基本满意").click();
  await page.getByTestId("act-text").focus();
  await page.keyboard.type("处理及时，态度好");
  await page.keyboard.press("Enter");
  await page.getByTestId("act-callback").waitFor({ state: "detached" });
  assert.match(await page.getByTestId("request-callback").innerText(), /基本满意/);

  await page.getByTestId("act-close").focus();
  await page.keyboard.press("Enter");
  await textFocused();
  await page.keyboard.press("Enter");
  await page.getByTestId("act-close").waitFor({ state: "detached" });
  assert.match(await page.getByTestId("request-state").innerText(), /已办结/);
  const timeline = await page.getByTestId("request-timeline").innerText();
  for (const step of ["受理", "答复客户", "回访", "基本满意", "办结"]) assert.match(timeline, new RegExp(step));
  assert.match(await page.getByTestId("request-deadlines").innerText(), /及时|2026/);
  await shot("04-closed");

  // In English, the same page and the list.
  await page.getByTestId("lang-switch").click();
  assert.match(await page.getByTestId("request-state").innerText(), /Closed/);
  assert.match(await page.getByTestId("request-timeline").innerText(), /Callback/);
  await shot("05-closed-english");
  await page.keyboard.press("Escape");
  await page.getByTestId("request-list").waitFor();
  assert.match(await page.getByTestId("request-list").innerText(), /Complaint/);
  await shot("06-list-english");
  await page.getByTestId("lang-switch").click();
});

test("not satisfied: the report goes back to the manager, who sees it in the badge", async () => {
  const clerkToken = (await call(server.url, "session.login", { username: "clerk", password: "clerk1234" })).token;
  const draft = {
    category: "report", complaint_class: null, service_kind: null, area_type: null, customer_id: null,
    caller: { name: "匿名", phone: "13900001111" }, address: "", content: "举报抄表员收取好处费", answered: null,
  };
  let view = await call(server.url, "service.create", draft, clerkToken);
  // Straight through the command set: a callback before the reply is refused.
  const refused = await fetch(`${server.url}/api/invoke`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${clerkToken}` },
    body: JSON.stringify({ cmd: "service.act", args: { id: view.request.id, expected_version: view.request.version, act: { action: "callback", outcome: "satisfied", comment: "" } } }),
  }).then((r) => r.json());
  assert.equal(refused.error.messages[0].code, "request.not_replied");
  view = await call(server.url, "service.act", { id: view.request.id, expected_version: view.request.version, act: { action: "reply", reply: "经查属实，已处理" } }, clerkToken);
  view = await call(server.url, "service.act", { id: view.request.id, expected_version: view.request.version, act: { action: "callback", outcome: "unsatisfied", comment: "处理太轻" } }, clerkToken);
  assert.equal(view.request.state, "reopened");

  await login("manager", "manager1234");
  const badge = page.getByTestId("requests-badge");
  await badge.waitFor();
  assert.match(await badge.locator(".ant-scroll-number").first().getAttribute("title"), /: 1$/);
  await page.getByTestId("nav").getByText("工单").click();
  await page.getByTestId("filter-state").click();
  await page.locator(".ant-select-dropdown").getByText("不满意重办").click();
  await page.getByTestId("request-list").getByText("举报").click();
  await page.getByTestId("reopened-hint").waitFor();
  await shot("07-reopened-manager");
  await page.getByTestId("act-reply").click();
  await page.getByTestId("act-text").fill("主任约谈当事人，处理结果已告知举报人");
  await page.getByTestId("act-confirm").click();
  await page.getByTestId("reopened-hint").waitFor({ state: "detached" });
  assert.match(await page.getByTestId("request-state").innerText(), /已答复/);
});

test("a fault repair: arrival in 45 minutes, restoration counted from the arrival", async () => {
  await login("clerk", "clerk1234");
  await page.getByTestId("nav").getByText("工单").click();
  await page.getByTestId("new-request").click();
  await page.getByTestId("intake-deadlines").getByText(/到达现场 · 45分钟 · 2026\/11\/2 10:45:00前/).waitFor();
  await page.getByTestId("intake-area").getByText("农村").click();
  await page.getByTestId("intake-deadlines").getByText(/到达现场 · 90分钟/).waitFor();
  assert.match(await page.getByTestId("intake-deadlines").innerText(), /恢复送电 · 4小时 · 自到达现场起计/);
  await page.getByTestId("intake-caller-phone").fill("0571-87");
  await page.getByTestId("intake-content").fill("整栋楼停电");
  await page.getByTestId("intake-accept").click();
  // The site and a phone of 7 to 12 digits are required.
  const errors = await page.getByTestId("intake-errors").innerText();
  assert.match(errors, /请填写现场地址/);
  assert.match(errors, /电话号码应为7到12位数字/);
  await page.getByTestId("intake-caller-phone").fill("0571-87654321");
  await page.getByTestId("intake-address").fill("西湖区古墩路9号");
  await page.getByTestId("intake-accept").click();
  await page.getByTestId("request-detail").waitFor();
  await page.getByTestId("act-arrive").click();
  await page.getByTestId("act-confirm").click();
  await page.getByTestId("act-restore").waitFor();
  const deadlines = await page.getByTestId("request-deadlines").innerText();
  assert.match(deadlines, /恢复送电\s+2026\/11\/2 14:00:00/);
  await shot("08-repair-arrived");
});
