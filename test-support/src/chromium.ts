// Debian's Chromium, launched the one way every browser test and benchmark launches it (headless, offline).
export const CHROMIUM_PATH = process.env['PMM_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine without GPU or network (no background connections). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Options for playwright-core's `chromium.launch`, with extra flags appended. */
export function chromiumLaunchOptions(extraArgs: readonly string[] = []): {
  executablePath: string;
  headless: boolean;
  args: string[];
} {
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] };
}
