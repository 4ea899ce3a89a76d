// A closed day stays closed, in a real Chromium against `hall serve`: the clerk collects, the
// manager closes the day, the clerk collects again and the desk bar names the next business date,
// and the closed day's report and papers are unchanged. With it the keyboard items of the money
// screens: Esc clears the collection, switching sections and back keeps it, Enter submits a
// manager's approval, unlikely cash is confirmed from the keyboard and absurd amounts are refused.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { artifacts, call, counterPage, customerDraft, demoDatabase, enterReading, launchChromium, loginAs, serve, closeReceipt, scanAccount } from "./harness.mjs";

let server, browser, page, token;
const ids = {};
const yuan = (fen) => `${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, "0")}`;
const shot = (name) => page.screenshot({ path: join(artifacts, `closed-day-${name}.png`) });
const accountBox = () => page.getByLabel("扫码或输入户号 / 户名，回车");

function pdfText(name, base64) {
  const file = join(artifacts, `closed-day-${name}.pdf`);
  writeFileSync(file, Buffer.from(base64, "base64"));
  execFileSync("pdftoppm", ["-r", "60", "-png", "-singlefile", file, join(artifacts, `closed-day-${name}`)]);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

const papers = async (date) => ({
  daily: pdfText(`daily-${date}`, (await call(server.url, "dayend.pdf", { date, paper: "daily_report", path: null }, token)).base64),
  slip: pdfText(`slip-${date}`, (await call(server.url, "dayend.pdf", { date, paper: "deposit_slip", path: null }, token)).base64),
});

before(async () => {
  server = await serve(demoDatabase(200));
  ({ token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" }));
  for (const [account, name, total] of [["3391000001", "孙丽", 300], ["3391000002", "钱进", 200], ["3391000003", "赵强", 100]]) {
    const saved = await call(server.url, "customer.create", customerDraft(account, name), token);
    ids[account] = saved.view.customer.id;
    await enterReading(server.url, token, ids[account], account, "2026-10", total);
  }
  browser = await launchChromium();
  page = await counterPage(browser, server.url, { acceptDownloads: true });
  await loginAs(page, "clerk", "clerk1234");
  await page.getByTestId("current-user").waitFor();
});

after(async () => {
  await browser?.close();
  server?.stop();
});



test("open the desk from the keyboard and take a payment", async () => {
  await page.keyboard.press("Alt+2");
  await page.getByLabel("备用金").fill("3000");
  await page.getByLabel("备用金").press("Enter");
  await page.getByText("已开台：王晓燕").waitFor();
  await scanAccount(page, "3391000001");
  await page.getByLabel("收款 1").press("Enter"); // exactly the amount
  await closeReceipt(page);
});

test("Esc clears the collection; switching sections and back keeps one in progress", async () => {
  await scanAccount(page, "3391000002");
  await page.getByLabel("收款 1").fill("150");
  await page.keyboard.press("Alt+1");
  await page.getByTestId("payments-section").waitFor({ state: "hidden" });
  await page.keyboard.press("Alt+2");
  await page.getByText("3391000002 · ").waitFor();
  assert.equal(await page.getByLabel("收款 1").inputValue(), "150", "the tender typed before leaving is still there");
  await shot("00-kept");
  await page.getByLabel("收款 1").press("Escape");
  await page.getByText("3391000002 · ").waitFor({ state: "hidden" });
  assert.equal(await accountBox().inputValue(), "");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "扫码或输入户号 / 户名，回车", "ready for the next scan");
});

test("absurd cash is refused at the field, impossible change by the core, unlikely cash is confirmed from the keyboard", async () => {
  await scanAccount(page, "3391000002");
  const due = (await call(server.url, "payment.quote", { customer_id: ids["3391000002"] }, token)).total_due;
  const drawer = (await call(server.url, "desk.current", {}, token)).expected.cash; // 3,000 float + the first payment
  // 99,999,999.99: not an amount a counter takes.
  await page.getByLabel("收款 1").fill("99999999.99");
  await page.getByTestId("money-problem").getByText("金额过大").waitFor();
  await page.getByLabel("收款 1").press("Enter");
  assert.match(await page.getByTestId("pay-error").innerText(), /金额过大/);
  // Change of more than the drawer holds.
  await page.getByLabel("收款 1").fill("5000");
  await page.getByLabel("收款 1").press("Enter");
  await page.getByTestId("pay-error").getByText(`找零 ${yuan(500000 - due)} 元超过钱箱现有现金 ${yuan(drawer)} 元`, { exact: false }).waitFor();
  await shot("01-change-exceeds-drawer");
  // 1,500 for about 108: change of about 1,392 is over 1,000 and must be confirmed; Enter confirms.
  await page.getByLabel("收款 1").fill("1500");
  await page.getByLabel("收款 1").press("Enter");
  const dialog = page.locator(".ant-modal").filter({ hasText: "请与客户核对现金金额" });
  await dialog.waitFor();
  await shot("02-confirm-large-cash");
  await page.keyboard.press("Escape"); // not yet: nothing posted
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await call(server.url, "payment.list", { customer_id: ids["3391000002"] }, token)).payments.length, 0);
  await page.getByLabel("收款 1").press("Enter");
  await dialog.waitFor();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter"); // a double press posts once
  await closeReceipt(page);
  const list = await call(server.url, "payment.list", { customer_id: ids["3391000002"] }, token);
  assert.equal(list.payments.length, 1);
  assert.equal(list.payments[0].change, 150000 - due);
});

test("the change line says why there is no change", async () => {
  await scanAccount(page, "3391000003");
  const due = (await call(server.url, "payment.quote", { customer_id: ids["3391000003"] }, token)).total_due;
  await page.getByLabel("收款 1").fill("20");
  assert.equal(await page.getByTestId("change").innerText(), `找零: 还差 ¥${yuan(due - 2000)}：付款不足`);
  await page.locator(".ant-select[aria-label=\"付款方式 1\"]").click();
  await page.getByTitle("银行卡").click();
  await page.getByLabel("收款 1").fill("60");
  assert.equal(await page.getByTestId("change").innerText(), `找零: 非现金付款超出 ¥${yuan(6000 - due)}：无法找零`);
  await page.getByLabel("收款 1").press("Escape");
});

let closedDate, closedReport, closedPapers;

test("the manager closes the day; the clerk collects again for the next business date", async () => {
  const desk = await call(server.url, "desk.current", {}, token);
  let left = desk.expected.cash;
  const count = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1].map((d) => { const n = Math.floor(left / d); left -= n * d; return { denomination: d, count: n }; });
  await call(server.url, "desk.close", { count, approval: null }, token);
  const closed = await call(server.url, "dayend.close", { date: null }, token);
  closedDate = closed.date;
  closedReport = await call(server.url, "dayend.report", { date: closedDate }, token);
  closedPapers = await papers(closedDate);
  assert.match(closedPapers.daily, /实收合计（2 笔收费）/);

  // The clerk's screen learns of it when shown again.
  await page.keyboard.press("Alt+1");
  await page.keyboard.press("Alt+2");
  const next = page.getByTestId("desk-next-date");
  await next.waitFor();
  const state = await call(server.url, "desk.current", {}, token);
  assert.notEqual(state.collecting_for, state.today);
  assert.equal(await next.innerText(), `${state.today} 已日结：现在开台，收取的款项记入 ${state.collecting_for} 营业日`);
  await page.getByLabel("备用金").fill("500");
  await page.getByLabel("备用金").press("Enter");
  const tag = page.getByTestId("desk-collecting-for");
  await tag.waitFor();
  assert.equal(await tag.innerText(), `收取 ${state.collecting_for} 营业日的款项（${state.today} 已日结）`);
  await scanAccount(page, "3391000003");
  await page.getByLabel("收款 1").press("Enter");
  await page.getByTestId("receipt-preview").getByText("3391000003").waitFor();
  assert.match(await page.getByTestId("receipt-preview").innerText(), new RegExp(`营业日期\\s*${state.collecting_for}`));
  await shot("03-next-date-receipt");
  await closeReceipt(page);
  await shot("04-next-date-desk-bar");
  const paid = (await call(server.url, "payment.list", { customer_id: ids["3391000003"] }, token)).payments[0];
  assert.equal(paid.business_date, state.collecting_for);
});

test("Enter in the manager's password submits the reversal; the preview says 已冲正", async () => {
  await page.getByRole("button", { name: "冲正/冲红" }).click();
  await page.getByLabel("主管用户名").fill("manager");
  await page.getByLabel("主管密码").fill("manager1234");
  await page.getByLabel("主管密码").press("Enter");
  await page.getByRole("button", { name: "冲正/冲红" }).waitFor({ state: "detached" });
  await page.getByRole("button", { name: "收费凭证" }).first().click();
  const status = page.getByTestId("receipt-status");
  await status.waitFor();
  assert.equal(await status.innerText(), "已冲正");
  await shot("05-void-preview");
  await closeReceipt(page);
});

test("the closed day's report and papers are unchanged, on screen and on paper", async () => {
  assert.deepEqual(await call(server.url, "dayend.report", { date: closedDate }, token), closedReport);
  const now = await papers(closedDate);
  assert.equal(now.daily, closedPapers.daily);
  assert.equal(now.slip, closedPapers.slip);
  await page.keyboard.press("Alt+6");
  // 轧账 of the desk open for the next date: an absurd count is an error at its field.
  await page.getByLabel("张数 100 元").fill("99999999999");
  await page.getByTestId("count-error").getByText("张数应在 0 到 100000 之间").waitFor();
  assert.equal(await page.getByTestId("over-short").innerText(), "长短款: —");
  assert.ok(await page.getByRole("button", { name: "轧账" }).isDisabled());
  await page.getByLabel("张数 100 元").fill("0");
  await page.getByTestId("count-error").waitFor({ state: "detached" });
  await page.getByLabel("营业日期").fill("2026-1");
  await page.getByTestId("date-error").getByText("日期格式应为").waitFor();
  await page.getByLabel("营业日期").fill("2999-01-01");
  await page.getByTestId("date-error").getByText("不能选择未来的日期").waitFor();
  await page.getByLabel("营业日期").fill(closedDate);
  await page.getByTestId("date-error").waitFor({ state: "detached" });
  const report = page.getByTestId("day-report");
  await report.getByText(`${closedDate} 实收`).waitFor();
  const text = await report.innerText();
  assert.match(text, new RegExp(`¥${yuan(closedReport.total).replace(".", "\\.")} \\(2\\)`));
  assert.match(text, /已日结/);
  await shot("06-closed-day-report");
});

test("a manager reopens the day with a reason; the papers printed after say re-issued", async () => {
  // The clerk's desk for the next date must be closed first.
  const desk = await call(server.url, "desk.current", {}, token);
  let left = desk.expected.cash;
  const count = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1].map((d) => { const n = Math.floor(left / d); left -= n * d; return { denomination: d, count: n }; });
  await call(server.url, "desk.close", { count, approval: null }, token);
  const manager = await counterPage(browser, server.url);
  await loginAs(manager, "manager", "manager1234");
  await manager.getByTestId("current-user").waitFor();
  await manager.keyboard.press("Alt+6");
  await manager.getByLabel("营业日期").fill(closedDate);
  await manager.getByTestId("reopen-day").click();
  await manager.getByLabel("重开原因（必填）").press("Enter");
  await manager.getByText("请填写重开原因").waitFor();
  await manager.getByLabel("重开原因（必填）").fill("漏收一笔，须补录");
  await manager.getByLabel("重开原因（必填）").press("Enter");
  await manager.getByTestId("day-reopened").waitFor();
  await manager.screenshot({ path: join(artifacts, "closed-day-07-reopened.png") });
  assert.ok(await manager.getByRole("button", { name: "日结" }).isEnabled(), "a reopened day can be closed again");
  const reissued = await papers(closedDate);
  assert.match(reissued.daily, /重开后补打 RE-ISSUED（重开于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}）/);
  assert.match(reissued.slip, /重开后补打 RE-ISSUED/);
  await manager.getByTestId("lang-switch").click();
  await manager.getByText("Reopened at").waitFor();
  await manager.screenshot({ path: join(artifacts, "closed-day-08-reopened-en.png") });
  await manager.context().close();
});

test("English mode on the collection screen: no Chinese in suffixes, plurals right", async () => {
  await page.getByTestId("lang-switch").click();
  await page.keyboard.press("Alt+2");
  await page.getByLabel("Float").fill("100");
  await page.getByLabel("Float").press("Enter");
  await page.getByText("Desk open:").waitFor();
  const bar = await page.locator(".desk-bar").innerText();
  assert.match(bar, /0 payments at this desk/);
  const account = page.getByLabel("Scan or type the account or name, then Enter");
  await account.fill("");
  await account.pressSequentially("3391000001\n", { delay: 5 });
  await page.getByText("3391000001 · ").waitFor();
  await page.getByLabel("Amount paid in").fill("50");
  await page.getByLabel("Tendered 1").fill("1");
  const screen = await page.getByTestId("payments-section").innerText();
  assert.doesNotMatch(screen.replace(/孙\*|孙丽|国网杭州供电公司|营业厅/g, ""), /[元（），]/);
  assert.match(await page.getByTestId("change").innerText(), /Short by ¥/);
  await shot("09-collect-en");
});
