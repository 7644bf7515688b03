/**
 * Debian's Chromium as every browser suite launches it: as root it needs `--no-sandbox`, and without
 * the background-networking flags it keeps dialling Google's hosts, which this machine refuses.
 */
import { chromium, type Browser, type LaunchOptions } from 'playwright-core'

export const chromiumLaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
} satisfies LaunchOptions

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions)
}
