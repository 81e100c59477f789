import { escapeHtml, PAGE_HEADERS } from '../reports/html.ts';

/**
 * The few pages of signing in and out: plain HTML, no script, the oversight pages' strict headers.
 * `next` makes the page move on by itself (a meta refresh): after the callback this navigation
 * starts on our own page, so the browser sends the SameSite=Strict session cookie with it, which it
 * would not on a redirect that began at the identity provider's site.
 */
export function signInPage(options: {
  title: string;
  message: string;
  link: { href: string; text: string };
  next?: boolean;
}) {
  const href = escapeHtml(options.link.href);
  const refresh = options.next ? `<meta http-equiv="refresh" content="0;url=${href}">\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
${refresh}<title>${escapeHtml(options.title)}</title>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
<p id="message">${escapeHtml(options.message)}</p>
<p><a id="next" href="${href}">${escapeHtml(options.link.text)}</a></p>
</body>
</html>`;
}

export const SIGN_IN_PAGE_HEADERS = PAGE_HEADERS;

/**
 * The pages' sign-out button: a plain form POST (the session cookie is SameSite=Strict, so no other
 * site can post it). `action` is relative to the page, as the pages' asset links are.
 */
export const signOutForm = (action: string): string =>
  `<form class="sign-out" method="post" action="${escapeHtml(action)}"><button type="submit" id="sign-out">Sign out</button></form>`;
