/**
 * Static files of the oversight pages, served by us (`GET /v1/oversight/assets/{file}`): the
 * charting library (uPlot, from its npm package) and our own script and styles. No CDN: the pages
 * must work on closed networks, and a strict CSP (`script-src 'self'`) allows only these.
 *
 * Where a file is read from, first match wins:
 *   1. `./assets/<name>` next to this module's code: in the Lambda bundle that is `<bundle>/assets/`
 *      (infra copies ASSET_SOURCES there), in the repository `shared/reports/assets/` (our own files);
 *   2. the npm package, resolved from node_modules (local runtime and tests).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Every asset with where it comes from in the repository (for infra's copy step). */
export const ASSET_SOURCES = {
  'uplot.js': { contentType: JS, from: 'node_modules/uplot/dist/uPlot.iife.min.js' },
  'uplot.css': { contentType: CSS, from: 'node_modules/uplot/dist/uPlot.min.css' },
  'dashboard.js': { contentType: JS, from: 'shared/reports/assets/dashboard.js' },
  'oversight.css': { contentType: CSS, from: 'shared/reports/assets/oversight.css' },
} as const;

export type AssetName = keyof typeof ASSET_SOURCES;
export const ASSET_NAMES = Object.keys(ASSET_SOURCES) as AssetName[];

export interface Asset {
  body: string;
  contentType: string;
  /** Strong validator: the content's hash, for If-None-Match and cache-busting URLs. */
  etag: string;
}

const loaded = new Map<AssetName, Asset>();

function locate(name: AssetName): string {
  const beside = fileURLToPath(new URL(`./assets/${name}`, import.meta.url));
  if (existsSync(beside)) return beside;
  const from = ASSET_SOURCES[name].from;
  if (from.startsWith('node_modules/')) {
    return createRequire(import.meta.url).resolve(from.slice('node_modules/'.length));
  }
  throw new Error(`asset ${name} is missing: copy ${from} to assets/${name} beside the function bundle`);
}

export function loadAsset(name: AssetName): Asset {
  let asset = loaded.get(name);
  if (!asset) {
    const body = readFileSync(locate(name), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    asset = { body, contentType: ASSET_SOURCES[name].contentType, etag };
    loaded.set(name, asset);
  }
  return asset;
}

/** A page's relative link to an asset, versioned by content so it can be cached for a year. */
export const assetHref = (prefix: string, name: AssetName): string =>
  `${prefix}${name}?v=${loadAsset(name).etag.slice(1, 11)}`;
