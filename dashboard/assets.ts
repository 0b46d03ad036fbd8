import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AssetBuildError } from './errors.ts';

/** The page's source folder: index.html, styles.css and the TypeScript entry point. */
export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');

/** A file the server answers with, under its URL path. */
export interface Asset {
  readonly contentType: string;
  readonly body: Buffer;
  /** A strong validator, so a reload costs a 304. */
  readonly etag: string;
}

const asset = (contentType: string, body: Buffer): Asset => ({
  contentType,
  body,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Bundles the page with esbuild, in memory: Chart.js, zod and the page's code become one
 * script and the stylesheet one file, so the browser never asks another host for anything
 * (no CDN, no web fonts). Takes a fraction of a second, so it happens at start-up.
 *
 * @returns the assets by URL path (`/`, `/app.js`, `/app.css`).
 * @throws {AssetBuildError} with esbuild's messages when the page does not build.
 */
export const bundleAssets = async (webDir: string = WEB_DIR): Promise<ReadonlyMap<string, Asset>> => {
  let outputFiles: { path: string; contents: Uint8Array }[];
  try {
    const result = await build({
      entryPoints: { app: join(webDir, 'main.ts'), 'app-styles': join(webDir, 'styles.css') },
      bundle: true,
      write: false,
      outdir: '/assets',
      format: 'esm',
      platform: 'browser',
      target: ['chrome120', 'firefox120', 'safari17'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    outputFiles = result.outputFiles;
  } catch (error) {
    throw new AssetBuildError(`the dashboard page in ${webDir} does not build`, { cause: error });
  }
  const assets = new Map<string, Asset>();
  for (const file of outputFiles) {
    const name = basename(file.path);
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[extension];
    if (contentType === undefined) continue;
    assets.set(
      name === 'app-styles.css' ? '/app.css' : `/${name}`,
      asset(contentType, Buffer.from(file.contents)),
    );
  }
  const html = await readFile(join(webDir, 'index.html'));
  assets.set('/', asset('text/html; charset=utf-8', html));
  return assets;
};
