/** Small helpers for the server-rendered oversight pages. */
import { type AssetName, assetHref } from './assets.ts';

/**
 * The pages' Content-Security-Policy: scripts and styles only from our own origin (the assets
 * route), no inline script, no network requests from the page, no framing. The report data rides in
 * a `<script type="application/json">` block, which is data, never executed.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  // Only the sign-out button posts, to this API (issue 18).
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': PAGE_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attribute values. */
export const escapeHtml = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

/** JSON for a `<script type="application/json">` block: `<` escaped so no `</script>` can close it. */
export const jsonBlock = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

// Made on first use, not at import: a NumberFormat costs tens of ms of the API's cold start (docs/PERFORMANCE.md).
let numberFormat: Intl.NumberFormat | undefined;
export const formatCount = (value: number): string => {
  numberFormat ??= new Intl.NumberFormat('en-US');
  return numberFormat.format(value);
};
export const formatHours = (value: number | null): string => (value === null ? '\u2014' : value.toFixed(2));

export interface PageOptions {
  title: string;
  /** Relative path from the page to the assets route (pages live at different depths). */
  assetPrefix: string;
  styles: readonly AssetName[];
  scripts: readonly AssetName[];
  body: string;
  /** Reload the page by itself every this many seconds (a meta refresh: no script needed). */
  refreshSeconds?: number;
}

export function page(options: PageOptions): string {
  const styles = options.styles
    .map((name) => `<link rel="stylesheet" href="${escapeHtml(assetHref(options.assetPrefix, name))}">`)
    .join('\n');
  const scripts = options.scripts
    .map((name) => `<script src="${escapeHtml(assetHref(options.assetPrefix, name))}" defer></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
${options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">\n` : ''}<title>${escapeHtml(options.title)}</title>
${styles}
${scripts}
</head>
<body>
${options.body}
</body>
</html>
`;
}
