// Open the built deck in headless Chromium (Debian's chromium package,
// driven by puppeteer-core: no browser is downloaded) and visit every
// slide. The deck fails when
//
//   - the page logs an error, throws, fails to load a file, or asks
//     for anything but its own files (it must work offline);
//   - a slide's code block is wider than the block (it would scroll),
//     or a code block or picture reaches past the slide's edge;
//   - a slide's content runs off its bottom;
//   - a picture does not load.
//
//   node test/browser.mjs DECK.html [SCREENSHOT_DIR]
//
// Prints one line per problem and a summary; exits 1 on any problem.
// With SCREENSHOT_DIR it saves the first slide, and the first slide
// with code and the first with a picture, as PNG, for the record.
// CHROMIUM names the browser (default: /usr/bin/chromium).
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import puppeteer from 'puppeteer-core'

const [deck, shots] = process.argv.slice(2)
if (!deck || !existsSync(deck)) {
  console.error(`browser: no deck at ${deck}: build it first (make slides)`)
  process.exit(2)
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium'
if (!existsSync(executablePath)) {
  console.error(`browser: no Chromium at ${executablePath}: apt-get install chromium`)
  process.exit(2)
}

const problems = []
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  // As root, Chromium needs --no-sandbox; the deck is our own file.
  args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
})
try {
  const page = await browser.newPage()
  await page.setViewport({ width: 1280, height: 720 })
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) =>
    problems.push(`failed to load ${request.url()}: ${request.failure()?.errorText}`))
  // The deck must work offline, in a room without a network: any
  // request for more than its own files is refused, and a problem.
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    if (/^(file|data|blob|about):/.test(request.url()))
      return request.continue()
    problems.push(`the deck fetches ${request.url()}: it must work offline`)
    return request.abort()
  })

  // Go to slide N (from 1) and wait until it is the one shown.
  const show = async (n) => {
    await page.evaluate((n) => { location.hash = `#${n}` }, n)
    await page.waitForFunction((n) =>
      document.querySelectorAll('svg[data-marpit-svg]')[n - 1]
        ?.classList.contains('bespoke-marp-active'), { timeout: 5000 }, n)
  }

  await page.goto(pathToFileURL(resolve(deck)).href, { waitUntil: 'load' })
  await page.waitForSelector('svg.bespoke-marp-active')
  const count = await page.$$eval('svg[data-marpit-svg]', (all) => all.length)
  if (count === 0)
    problems.push('the deck has no slides')

  const wanted = { first: 1, code: 0, picture: 0 }
  for (let n = 1; n <= count; n++) {
    await show(n)
    const found = await page.evaluate((n) => {
      const svg = document.querySelectorAll('svg[data-marpit-svg]')[n - 1]
      const section = svg.querySelector('section')
      const box = section.getBoundingClientRect()
      const out = []
      const title = section.querySelector('h1, h2, h3')?.textContent ?? ''
      for (const pre of section.querySelectorAll('pre')) {
        const edge = pre.getBoundingClientRect()
        if (pre.scrollWidth > pre.clientWidth + 1)
          out.push(`code ${pre.scrollWidth - pre.clientWidth}px wider than its block`)
        if (edge.right > box.right + 1 || edge.bottom > box.bottom + 1)
          out.push('code reaches past the slide')
      }
      const images = [...section.querySelectorAll('img')]
      for (const img of images) {
        const edge = img.getBoundingClientRect()
        if (!img.complete || img.naturalWidth === 0)
          out.push(`picture ${img.getAttribute('src')} did not load`)
        else if (edge.right > box.right + 1 || edge.bottom > box.bottom + 1)
          out.push(`picture ${img.getAttribute('src')} reaches past the slide`)
      }
      if (section.scrollHeight > section.clientHeight + 1)
        out.push(`content ${section.scrollHeight - section.clientHeight}px below the slide`)
      return {
        title, out,
        code: section.querySelector('pre') !== null,
        picture: images.length > 0,
      }
    }, n)
    for (const problem of found.out)
      problems.push(`slide ${n} (${found.title}): ${problem}`)
    if (found.code && !wanted.code)
      wanted.code = n
    if (found.picture && !wanted.picture)
      wanted.picture = n
  }

  const saved = []
  if (shots) {
    mkdirSync(shots, { recursive: true })
    for (const [what, n] of Object.entries(wanted)) {
      if (!n)
        continue
      await show(n)
      // Without the on-screen controls, which come with the mouse.
      await page.addStyleTag({ content: '.bespoke-marp-osc { display: none !important }' })
      const path = `${shots}/slide-${String(n).padStart(2, '0')}-${what}.png`
      await page.screenshot({ path })
      saved.push(path)
    }
  }
  for (const problem of problems)
    console.log(`browser: ${problem}`)
  console.log(`browser: ${count} slides visited, ${problems.length} problems` +
    (saved.length ? `; screenshots: ${saved.join(' ')}` : ''))
} finally {
  await browser.close()
}
process.exit(problems.length ? 1 : 0)
