// Accessibility check: signs up on a running Easel, makes a little content,
// and runs axe-core (the engine of Lighthouse's accessibility audit) on the
// main pages at 1400 px and 390 px. Usage: node check.js http://127.0.0.1:3999
const puppeteer = require("puppeteer-core");
const fs = require("fs");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const base = process.argv[2] || "http://127.0.0.1:3999";
const png = process.argv[3];

async function axe(page, url, width) {
  await page.setViewport({ width, height: 900 });
  await page.goto(base + url, { waitUntil: "networkidle0" });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

(async () => {
  const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless=new"] });
  const page = await browser.newPage();
  const pages = { login: "/login" };
  let failures = 0;
  const report = async (name, url) => {
    for (const width of [1400, 390]) {
      const v = await axe(page, url, width);
      console.log(`${name} ${url} @${width}px: ${v.length === 0 ? "no violations" : v.length + " violations"}`);
      v.forEach((line) => console.log("   " + line));
      failures += v.length;
    }
  };
  await report("login", "/login");
  await page.setViewport({ width: 1400, height: 900 });
  await page.goto(base + "/signup");
  await page.type("#name", "Ada Lind");
  await page.type("#email", `ada${Date.now()}@example.com`);
  await page.type("#password", "correct horse battery");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/signup'] button[type=submit]")]);
  await report("home (new workspace)", "/");
  if (png) {
    await page.goto(base + "/images");
    const input = await page.$("input[type=file]");
    await input.uploadFile(png);
    await Promise.all([page.waitForNavigation(), page.$eval("input[type=file]", (i) => i.form.submit())]);
  }
  await page.goto(base + "/calendars");
  await page.type("#calendar-name", "Main");
  await Promise.all([page.waitForNavigation(), page.$eval("#calendar-name", (i) => i.form.submit())]);
  const calendar = page.url().replace(base, "");
  await page.goto(base + calendar + "/posts/new?date=2030-05-01");
  await page.$eval("#caption", (t) => (t.value = "A heron at dusk"));
  await page.$eval("#time", (t) => (t.value = "12:00"));
  await Promise.all([page.waitForNavigation(), page.$eval("#caption", (t) => t.form.submit())]);
  const editor = page.url().replace(base, "");
  await report("home", "/");
  await report("library", "/images");
  await report("calendar month", calendar + "?view=month&date=2030-05-01");
  await report("editor", editor);
  await report("grid planner", calendar + "/grid");
  await report("all calendars", "/calendars/all?view=month&date=2030-05-01");
  if (png) {
    await page.goto(base + "/images");
    const art = await page.$eval("a[href^='/images/0']", (a) => a.getAttribute("href"));
    await report("artwork and crop editor", art + "?crop=portrait");
  }
  await report("settings", "/settings");
  await report("workspaces", "/workspaces");
  await report("team", "/team");
  await browser.close();
  console.log(failures === 0 ? "PASS: no axe violations" : `FAIL: ${failures} violations`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
