// Shared pieces of the end-to-end tests: a throwaway database with the demo outlet, `hall serve`
// on a free port, and Debian's Chromium driven by playwright-core (no browser download).
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const artifacts = join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });

export const hallBinary = process.env.HALL_BIN ?? join(root, "target/debug/hall");

/** A fresh database with the demo users and `customers` demo customers. */
export function demoDatabase(customers = 2000) {
  const dir = mkdtempSync(join(tmpdir(), "hall-e2e-"));
  const db = join(dir, "hall.db");
  execFileSync(hallBinary, ["--db", db, "demo", "--customers", String(customers), "--history", "20"], { stdio: "ignore" });
  return db;
}

/** Starts `hall serve` on a free port (with `env` added to its environment) and resolves with its base URL and a stop function. */
export function serve(db, env = {}) {
  const child = spawn(hallBinary, ["--db", db, "serve", "--port", "0", "--ui", join(root, "ui/dist")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolvePromise({ url: match[1], stop: () => child.kill() });
    });
    child.on("exit", (code) => reject(new Error(`hall serve exited with ${code}: ${out}`)));
  });
}

/** Calls a command over HTTP, as the UI does. */
export async function call(url, cmd, args, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const reply = await (await fetch(`${url}/api/invoke`, { method: "POST", headers, body: JSON.stringify({ cmd, args }) })).json();
  if (reply.error) throw new Error(JSON.stringify(reply.error));
  return reply.ok;
}

export const chromiumArgs = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--lang=zh-CN",
];

export function customerDraft(account, name, overrides = {}) {
  return {
    account, name, class: "residential", id_kind: "resident_id", id_number: "11010519491231002X",
    phones: ["13912345678"], address: "浙江省杭州市西湖区文一路100号翠苑一区3幢2单元501室",
    supply_area: "西湖区供电所/翠苑1号台区", voltage: "220V", capacity_kva: 8, tariff_code: "ZJ-RES-TIER",
    payment_method: "counter", credit_rating: "A", big_customer: false, account_manager: null, tags: [], notes: "",
    meters: [{ number: `E2E${account}`, kind: "single_phase", multiplier: 1 }], ...overrides,
  };
}

/** A CUPS server of its own with no printers (as tests/common/cups.rs starts one): its socket and a stop function. */
export async function privateCups() {
  const dir = mkdtempSync(join(tmpdir(), "hall-cups-"));
  for (const sub of ["conf", "spool", "cache", "state", "log", "tmp"]) mkdirSync(join(dir, sub));
  for (const sub of ["", "conf", "spool", "cache", "state", "log"]) chmodSync(join(dir, sub), 0o755);
  chmodSync(join(dir, "tmp"), 0o1777);
  writeFileSync(join(dir, "cups-files.conf"), [
    `ServerRoot ${dir}/conf`, `RequestRoot ${dir}/spool`, `CacheDir ${dir}/cache`, `StateDir ${dir}/state`,
    `ErrorLog ${dir}/log/error_log`, `AccessLog ${dir}/log/access_log`, `PageLog ${dir}/log/page_log`, `TempDir ${dir}/tmp`,
    "ServerBin /usr/lib/cups", "DataDir /usr/share/cups", "User lp", "Group lp", "SystemGroup root", "",
  ].join("\n"));
  const socket = join(dir, "cups.sock");
  writeFileSync(join(dir, "cupsd.conf"), `Listen ${socket}\nWebInterface No\nBrowsing No\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n`);
  const daemon = spawn("/usr/sbin/cupsd", ["-f", "-c", join(dir, "cupsd.conf"), "-s", join(dir, "cups-files.conf")], { stdio: "ignore" });
  for (let i = 0; i < 300 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) throw new Error("cupsd did not start");
  return { socket, stop: () => daemon.kill() };
}

/** Debian's Chromium (never a downloaded browser). */
export function launchChromium() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs, headless: true });
}

/** A counter screen: a 1366×768 page of `browser` at `url`, in a context of its own. */
export async function counterPage(browser, url, { acceptDownloads = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", acceptDownloads });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Types the username and password at the login screen and presses Enter, as a clerk does. */
export async function loginAs(page, username, password) {
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByLabel("密码").press("Enter");
}

/** A monthly reading for a customer made with `customerDraft` (its meter is `E2E` + account), which bills it. */
export function enterReading(url, token, customerId, account, period, total) {
  return call(url, "reading.enter", {
    customer_id: customerId, meter_number: `E2E${account}`, period, total, previous_total: null, peak: null, valley: null,
    reactive: null, max_demand_kw: null, basic_by: null, basic_segments: [],
  }, token);
}

/** Types an account into the collection screen's box as a scanner does (digits and Enter) and waits for the customer. */
export async function scanAccount(page, account) {
  const box = page.getByLabel("扫码或输入户号 / 户名，回车");
  await box.fill("");
  await box.pressSequentially(`${account}\n`, { delay: 5 });
  await page.getByText(`${account} · `).waitFor();
}

/** Waits for the receipt dialog and closes it. */
export async function closeReceipt(page) {
  await page.getByTestId("receipt-preview").waitFor();
  await page.locator(".ant-modal-footer").getByRole("button", { name: "关闭", exact: true }).click();
  await page.getByTestId("receipt-preview").waitFor({ state: "hidden" });
}

/** A one-page PDF with one line of text (its cross-reference table at the right offsets): a real
 *  document for the upload tests, made without a library. */
export function onePagePdf(text) {
  const content = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
