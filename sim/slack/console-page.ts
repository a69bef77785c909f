import { readFileSync } from 'node:fs';

/**
 * The sandbox console: one self-contained HTML file (inline CSS and vanilla JS, no external assets), kept as a
 * real .html file beside this one so it can be edited without escaping a page's worth of script inside a string.
 */
export const CONSOLE_PAGE = readFileSync(new URL('./console-page.html', import.meta.url), 'utf8');
