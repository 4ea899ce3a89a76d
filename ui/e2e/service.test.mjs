// Service requests (工单) in a real Chromium against `hall serve`: a complaint from intake through
// reply and callback to closing by keyboard, with the refusals on the way (empty intake; closing
// before the callback, not offered on screen and refused by the core) and a double press that
// accepts once; a report the customer
// is not satisfied with going back to the manager, who sees it in the badge; a fault repair's deadlines
// in minutes; an arrears customer through notice, disconnection, payment and reconnection; the
// screens in English. The same refusals straight through /api/invoke. The clock
// is fixed (Monday 2026-11-02, 10:00 CST) so that the deadlines are known. Screenshots go to
// test-artifacts/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, test } from "node:test";
import { artifacts, call, closeReceipt, counterPage, customerDraft, enterReading, hallBinary, launchChromium, loginAs, scanAccount, serve } from "./harness.mjs";

/** Monday 2 November 2026, 10:00 in the outlet (CST). */
const NOW = "2026-11-02T02:00:00Z";
/** A week on: Monday 9 November 2026, 10:00 CST. */
const WEEK_ON = "2026-11-09T02:00:00Z";
let server, browser, page, token, customer, db;
const shot = (name) => page.screenshot({ path: join(artifacts, `service-${name}.png`) });

before(async () => {
  db = join(mkdtempSync(join(tmpdir(), "hall-e2e-")), "hall.db");
  execFileSync(hallBinary, ["--db", db, "--now", NOW, "demo", "--customers", "200", "--history", "2"], { stdio: "ignore" });
  server = await serve(db, { HALL_NOW: NOW });
  token = (await call(server.url, "session.login", { username: "manager", password: "manager1234" })).token;
  customer = (await call(server.url, "customer.search", { text: "3300000007", offset: 0, limit: 1 }, token)).hits[0];
  browser = await launchChromium();
  page = await counterPage(browser, server.url, { acceptDownloads: true });
});

/** The server again on the same database with its clock at `now`. */
async function restart(now) {
  server.stop();
  server = await serve(db, { HALL_NOW: now });
  token = (await call(server.url, "session.login", { username: "manager", password: "manager1234" })).token;
}

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

test("arrears: a notice printed, disconnection refused too early then allowed, paid at the counter, reconnection raised", async () => {
  // A residential customer owing August (due 25 Sep: 38 days overdue on 2 Nov) and September.
  const saved = await call(server.url, "customer.create", customerDraft("3399000001", "欧阳欠费"), token);
  const id = saved.view.customer.id;
  await enterReading(server.url, token, id, "3399000001", "2026-08", 300);
  await enterReading(server.url, token, id, "3399000001", "2026-09", 520);

  await login("manager", "manager1234");
  await page.getByTestId("nav").getByText("工单").click();
  await page.getByTestId("requests-tabs").getByText("欠费催收").click();
  await page.getByTestId("aging").waitFor();
  await page.getByTestId("arrears-days").getByText("逾期30天以上").click();
  const row = page.getByTestId("arrears-list").locator("tr", { hasText: "3399000001" });
  await row.waitFor();
  await shot("09-arrears-list");
  await row.locator("input[type=checkbox]").check();
  await page.getByTestId("print-disconnection-notices").click();
  // A date inside the 7 days is refused for this customer, with the earliest allowed.
  await page.getByTestId("notices-planned").fill("2026-11-06");
  await page.getByTestId("notices-print").click();
  assert.match(await page.getByTestId("notices-refused").innerText(), /停电日期须在通知7天之后（最早2026-11-09）/);
  await page.getByRole("button", { name: /^关\s*闭$/ }).click();
  await row.locator("input[type=checkbox]").waitFor();
  if (!(await row.locator("input[type=checkbox]").isChecked())) await row.locator("input[type=checkbox]").check();
  await page.getByTestId("print-disconnection-notices").click();
  assert.equal(await page.getByTestId("notices-planned").inputValue(), "2026-11-09", "the core's date plus 7 days");
  await page.getByTestId("notices-print").click();
  await page.getByTestId("notice-page").waitFor();
  await shot("10-notice-printed");
  const download = page.waitForEvent("download");
  await page.getByTestId("notices-save").click();
  const file = join(artifacts, "service-notice.pdf");
  await (await download).saveAs(file);
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  for (const line of ["欠费停电通知书", "3399000001", "欧阳欠费", "2026-08", "2026-09", "计划停电日期：2026-11-09"]) assert.match(text, new RegExp(line));
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", file, join(artifacts, "service-notice")]);
  assert.ok(readFileSync(join(artifacts, "service-notice.png")).length > 10_000);
  await page.getByRole("button", { name: /^关\s*闭$/ }).click();

  // Too early: the notice period has not run.
  await row.getByTestId("arrears-open").click();
  await page.getByTestId("notice-history").getByText("停电通知书").waitFor();
  await page.getByTestId("disconnect").click();
  await page.getByTestId("disconnect-confirm").click();
  assert.match(await page.getByTestId("arrears-error").innerText(), /通知期未满：停电通知书所定日期为2026-11-09/);
  await shot("11-disconnect-refused");

  // A week on, the manager disconnects.
  await restart(WEEK_ON);
  await login("manager", "manager1234");
  await page.getByTestId("nav").getByText("工单").click();
  await page.getByTestId("requests-tabs").getByText("欠费催收").click();
  await page.getByTestId("arrears-list").locator("tr", { hasText: "3399000001" }).getByTestId("arrears-open").click();
  await page.getByTestId("disconnect").click();
  await page.getByTestId("disconnect-confirm").click();
  await page.getByTestId("supply-state").getByText("已停电").waitFor();
  await shot("12-disconnected");

  // The clerk takes the payment at the collection screen.
  await login("clerk", "clerk1234");
  await page.keyboard.press("Alt+2");
  await page.getByLabel("备用金").fill("3000");
  await page.getByLabel("备用金").press("Enter");
  await page.getByText("已开台：王晓燕").waitFor();
  await scanAccount(page, "3399000001");
  await page.getByLabel("收款 1").press("Enter");
  await closeReceipt(page);

  // The reconnection is raised with its deadline: 24 hours after the payment.
  const due = await call(server.url, "arrears.reconnections", {}, token);
  assert.equal(due.rows.length, 1);
  assert.equal(due.rows[0].reconnect_due, "2026-11-10T02:00:00.000Z");
  await page.keyboard.press("Alt+4");
  await page.getByTestId("requests-tabs").getByText("欠费催收").click();
  assert.match(await page.getByTestId("reconnections-due").innerText(), /待复电 1 户[\s\S]*3399000001[\s\S]*2026\/11\/10 10:00:00前复电/);
  await shot("13-reconnection-due");
});

test("inspections: a 10 kV customer due, a visit with a defect, the notice, a follow-up; the profile's relationship", async () => {
  await call(server.url, "customer.create", customerDraft("3399000002", "西湖精密制造", { voltage: "10kV" }), token);
  await login("manager", "manager1234");
  await page.getByTestId("nav").getByText("工单").click();
  await page.getByTestId("requests-tabs").getByText("用电检查").click();
  const row = page.getByTestId("inspections-due").locator("tr", { hasText: "3399000002" });
  await row.waitFor();
  assert.match(await row.innerText(), /周期检查/);
  await row.getByTestId("inspect").click();
  // Visited last Thursday (the clock is now Monday 9 November), so that today's follow-up is after it.
  await page.getByTestId("inspection-date").fill("2026-11-05");
  // A failed item without its defect is refused with the reason.
  await page.getByTestId("check-leakage_protection").getByText("存在隐患").click();
  await page.getByTestId("inspection-save").click();
  assert.match(await page.getByTestId("inspection-error").innerText(), /“漏电保护装置”：请描述隐患/);
  await page.getByTestId("check-leakage_protection").getByTestId("defect-description").fill("总漏电保护器拒动");
  await page.getByTestId("check-leakage_protection").getByTestId("defect-deadline").fill("2026-11-20");
  await page.getByTestId("inspection-save").click();
  assert.match(await page.getByTestId("inspection-recorded").innerText(), /发现隐患 1 处/);
  await shot("14-inspection-recorded");
  await page.getByRole("button", { name: /^关\s*闭$/ }).click();
  const defect = page.getByTestId("defects").locator("tr", { hasText: "总漏电保护器拒动" });
  await defect.waitFor();
  // The rectification notice, straight through the command set, read back.
  const list = await call(server.url, "inspection.defects", { overdue: false }, token);
  const pdf = await call(server.url, "inspection.notice", { id: list.rows.find((d) => d.account === "3399000002").inspection_id }, token);
  const file = join(artifacts, "service-rectification.pdf");
  writeFileSync(file, Buffer.from(pdf.base64, "base64"));
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  for (const line of ["用电检查整改通知书", "3399000002", "漏电保护装置", "总漏电保护器拒动", "2026-11-20"]) assert.match(text, new RegExp(line));
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", file, join(artifacts, "service-rectification")]);
  // A follow-up that finds it put right closes it.
  await defect.getByTestId("follow-up").click();
  await page.getByTestId("follow-up-result").getByText("已整改").click();
  await page.locator(".ant-modal-footer").getByRole("button", { name: /确\s*定/ }).click();
  await defect.waitFor({ state: "detached" });
  await shot("15-defect-closed");

  // The customer's profile shows the visit in the relationship's timeline.
  await page.keyboard.press("Alt+1");
  await page.getByTestId("customer-search").pressSequentially("3399000002", { delay: 5 });
  await page.getByTestId("customer-search").press("Enter");
  await page.getByTestId("customer-profile").waitFor();
  await page.getByRole("tab", { name: "客户关系" }).click();
  assert.match(await page.getByTestId("contact-timeline").innerText(), /检查 · 2026-11-05 · 用电检查 · 发现隐患1处/);
  await shot("16-relationship");
});
