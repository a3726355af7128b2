// The bench page (bench/browser/bench-page.ts) served by Vite and opened in Debian's Chromium,
// ready once it has set up `globalThis.bench`. `close` ends the browser and the server.
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type InlineConfig } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config.ts';

export interface BenchPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function openBenchPage(config: InlineConfig): Promise<BenchPage> {
  const server = await createServer(config);
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the benchmark server did not start');
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (process.env['BENCH_DEBUG'] || m.type() === 'error') console.error(`page: ${m.text()}`);
    });
    await page.goto(url);
    await page.waitForFunction(() => 'bench' in globalThis);
    return { browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
