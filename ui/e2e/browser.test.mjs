// The counter in a real Chromium against `hall serve` on a throwaway database: log in, search
// every way a clerk does, scan an account, create a customer with a wrong ID and fix it, see the
// history, switch the language. Screenshots go to test-artifacts/.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { join } from "node:path";
import { artifacts, call, counterPage, customerDraft, demoDatabase, launchChromium, serve } from "./harness.mjs";

let server, browser, page;

before(async () => {
  server = await serve(demoDatabase(2000));
  // Known customers to look for, created through the command set like any counter would.
  const { token } = await call(server.url, "session.login", { username: "manager", password: "manager1234" });
  await call(server.url, "customer.create", customerDraft("3310000001", "张三", { phones: ["13912345678"] }), token);
  browser = await launchChromium();
  page = await counterPage(browser, server.url);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const shot = (name) => page.screenshot({ path: join(artifacts, `browser-${name}.png`) });
const results = () => page.getByTestId("search-results");
const search = page_ => page_.getByTestId("customer-search");

async function searchFor(text) {
  const box = search(page);
  await box.fill("");
  await box.pressSequentially(text, { delay: 20 });
}

test("log in as a clerk", async () => {
  await page.getByLabel("用户名").fill("clerk");
  await page.getByLabel("密码").fill("wrong-password1");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByTestId("login-error").waitFor();
  assert.match(await page.getByTestId("login-error").innerText(), /用户名或密码不正确/);
  await page.getByLabel("密码").fill("clerk1234");
  await page.getByLabel("密码").press("Enter");
  await page.getByTestId("current-user").waitFor();
  assert.match(await page.getByTestId("current-user").innerText(), /王晓燕 · 营业员/);
  assert.match(await page.getByTestId("sync-status").innerText(), /待上传 \d+ 条/);
  await shot("01-logged-in");
});

test("search by a two-character name, pinyin initials and a phone tail", async () => {
  await searchFor("张三");
  await results().getByText("3310000001").waitFor();
  const firstRow = results().locator("tbody tr").first();
  assert.match(await firstRow.innerText(), /3310000001[\s\S]*张三[\s\S]*139\*\*\*\*5678/);
  await shot("02-search-name");

  await searchFor("zs");
  await results().getByText("3310000001").waitFor();
  assert.match(await results().innerText(), /拼音首字母/);

  await searchFor("5678");
  await results().getByText("3310000001").waitFor();
  assert.match(await results().innerText(), /电话后4位/);
  await shot("03-search-phone-tail");
});

test("Chinese input-method composition is not searched until it is committed", async () => {
  const box = search(page);
  await box.fill("");
  await box.focus();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.imeSetComposition", { text: "zhangsan", selectionStart: 8, selectionEnd: 8 });
  await page.waitForTimeout(300);
  // While composing, the pinyin shows in the box but no search has run for it.
  assert.equal(await box.inputValue(), "zhangsan");
  assert.equal(await results().count(), 0);
  await cdp.send("Input.insertText", { text: "张三" });
  await results().getByText("3310000001").waitFor();
  assert.equal(await box.inputValue(), "张三");
});

test("a scanned account opens the customer at once", async () => {
  const box = search(page);
  await box.fill("");
  // A keyboard-wedge scanner types fast and ends with Enter.
  await box.pressSequentially("3310000001", { delay: 5 });
  await box.press("Enter");
  await page.getByTestId("customer-profile").waitFor();
  assert.match(await page.getByTestId("customer-profile").innerText(), /张三/);
  // The clerk sees personal data masked and cannot reveal it.
  assert.equal(await page.getByTestId("id-number").innerText(), "110105********002X");
  assert.equal(await page.getByTestId("reveal").count(), 0);
  await shot("04-profile-scanned");
  await page.keyboard.press("Escape");
  await search(page).waitFor();
});

test("a wrong ID number is shown at its field; fixed, the record saves and has a history", async () => {
  await page.getByTestId("new-customer").click();
  const form = page.getByTestId("customer-form");
  await form.waitFor();
  await form.getByLabel("户号").fill("3310000009");
  await form.getByLabel("户名").fill("李四");
  await form.getByLabel("证件号码").fill("110105194912310021");
  await form.getByLabel("联系电话").fill("13800138000");
  await form.getByLabel("台区/供电所").fill("西湖区供电所/古荡2号台区");
  await form.getByLabel("用电地址").fill("浙江省杭州市西湖区古墩路8号");
  await form.getByPlaceholder("表号").fill("ZJ3310000009");
  await page.getByTestId("save-customer").click();
  const idItem = form.locator(".ant-form-item").filter({ has: page.getByLabel("证件号码") });
  await idItem.locator(".ant-form-item-explain-error").waitFor();
  assert.match(await idItem.locator(".ant-form-item-explain-error").innerText(), /身份证号校验位不正确/);
  await shot("05-form-error-at-field");

  await form.getByLabel("证件号码").fill("11010519491231002X");
  await page.getByTestId("save-customer").click();
  await page.getByTestId("customer-profile").waitFor();
  assert.match(await page.getByTestId("customer-profile").innerText(), /李四/);

  // Edit the name, then read the history.
  await page.getByTestId("edit-customer").click();
  await page.getByTestId("customer-form").getByLabel("户名").fill("李四海");
  await page.getByTestId("save-customer").click();
  await page.getByRole("tab", { name: "变更记录" }).click();
  const history = page.getByTestId("history");
  await history.getByText("李四海").waitFor();
  const text = await history.innerText();
  assert.match(text, /户名\s+李四\s+李四海\s+王晓燕/);
  assert.match(text, /立户/);
  await page.waitForTimeout(400); // the tab's ink bar slides
  await shot("06-history");
});

test("switch the language to English and back", async () => {
  await page.getByTestId("lang-switch").click();
  await page.getByRole("tab", { name: "History" }).waitFor();
  assert.match(await page.getByTestId("nav").innerText(), /Customers[\s\S]*Payments[\s\S]*Day-end[\s\S]*Settings/);
  assert.match(await page.getByTestId("history").innerText(), /Name\s+李四\s+李四海/);
  await shot("07-english");
  await page.getByTestId("lang-switch").click();
  await page.getByRole("tab", { name: "变更记录" }).waitFor();
});

/** Rows of the results whose cells show the highlight colour, by position. */
const highlightedRows = () =>
  results()
    .locator("tbody tr")
    .evaluateAll((rows) => rows.flatMap((row, i) => (getComputedStyle(row.cells[0]).backgroundColor === "rgb(230, 244, 243)" ? [i] : [])));

test("one row is highlighted, whether chosen by the mouse or the keys", async () => {
  await page.getByTestId("nav").getByText("客户").click();
  await page.keyboard.press("Escape");
  await searchFor("王");
  await results().locator("tbody tr").nth(5).waitFor();
  const rows = results().locator("tbody tr");
  await rows.nth(2).hover();
  assert.deepEqual(await highlightedRows(), [2]);
  // The keys move on from where the mouse left the selection; the row under the resting pointer
  // is not highlighted as well.
  await search(page).press("ArrowDown");
  await search(page).press("ArrowDown");
  assert.deepEqual(await highlightedRows(), [4]);
  await shot("08-one-highlighted-row");
  const account = await rows.nth(4).locator("td").first().innerText();
  await search(page).press("Enter");
  await page.getByTestId("customer-profile").waitFor();
  assert.match(await page.getByTestId("customer-profile").innerText(), new RegExp(account));
  await page.getByTestId("customer-profile").press("Escape");
  await search(page).waitFor();
});

test("the form reports every error at once, the taken account among them", async () => {
  await page.getByTestId("new-customer").click();
  const form = page.getByTestId("customer-form");
  await form.waitFor();
  await form.getByLabel("户号").fill("3310000001"); // 张三's
  await form.getByLabel("户名").fill("赵六");
  await form.getByLabel("证件号码").fill("110105199002300024"); // 30 February
  await form.getByLabel("联系电话").fill("13800138000");
  await form.getByLabel("台区/供电所").fill("西湖区供电所/古荡2号台区");
  await form.getByLabel("用电地址").fill("浙江省杭州市西湖区古墩路9号");
  await form.getByPlaceholder("表号").fill("ZJ3310000010");
  await page.getByTestId("save-customer").click();
  const errorAt = (label) => form.locator(".ant-form-item").filter({ has: page.getByLabel(label) }).locator(".ant-form-item-explain-error");
  await errorAt("户号").waitFor();
  assert.match(await errorAt("户号").innerText(), /户号3310000001已存在/);
  assert.match(await errorAt("证件号码").innerText(), /1990年2月只有28天/);
  await shot("09-form-all-errors");
  await page.getByRole("button", { name: /^取\s*消$/ }).click();
});

test("sections not in this version say so (业扩 and 工单 are in it: issues 11 and 13)", async () => {
  await page.getByTestId("nav").getByText("报表").click();
  assert.match(await page.getByTestId("upcoming").innerText(), /报表：本版本尚未提供/);
  await page.getByTestId("lang-switch").click();
  await page.getByTestId("nav").getByText("Reports").click();
  assert.match(await page.getByTestId("upcoming").innerText(), /Reports: not available in this version yet/);
  await shot("11-upcoming-english");
  await page.getByTestId("nav").getByText("Customers").click();
  await search(page).fill("");
  await shot("12-search-english-placeholder");
  await searchFor("wang");
  await results().locator("tbody tr").first().waitFor();
  await shot("13-search-english");
  await page.getByTestId("new-customer").click();
  await page.getByTestId("customer-form").getByLabel("Account", { exact: true }).fill("3310000001");
  await page.getByTestId("save-customer").click();
  await page.getByTestId("customer-form").getByText("Account 3310000001 already exists").waitFor();
  await shot("14-form-errors-english");
  await page.getByRole("button", { name: "Cancel" }).click();
  await results().locator("tbody tr").first().click();
  await page.getByTestId("customer-details").waitFor();
  assert.doesNotMatch(await page.getByTestId("phones").innerText(), /，/);
  await shot("15-profile-english");
  await page.getByTestId("nav").getByText("Settings").click();
  await page.waitForTimeout(300);
  await shot("16-settings-english");
  await page.getByTestId("nav").getByText("Customers").click();
  await page.getByTestId("lang-switch").click();
});
