// What every pmm test suite shares: the real parts a test needs, and the one rule for when one is missing.
export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumLaunchOptions } from './chromium';
export { REPO_ROOT, screenshotPath, telcoCsvPath } from './paths';
export { freePort, listening } from './ports';
export { requireParts } from './require-parts';
