// `npm run build:ui`: bundles the web view's browser code (src/ui/app) with esbuild into the
// package's dist/ui-assets/ (app.js, app.css, index.html), which `startUi` serves. Nothing is
// fetched at run time: uPlot and dagre are bundled in. The page shares only types with the server
// (src/ui/api-types.ts, erased at build): a build that would bundle server code fails.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = join(ROOT, 'src/ui/app');
/** Where startUi looks for its files (UI_ASSETS_DIR). */
export const UI_ASSETS_OUT = join(ROOT, 'dist/ui-assets');

/** Bundles the app; files are replaced atomically, so concurrent builds and readers are safe. */
export async function buildUiAssets(outDir = UI_ASSETS_OUT): Promise<string[]> {
  const result = await build({
    entryPoints: { app: join(APP, 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'eof',
    outdir: outDir,
    write: false,
    // Input paths in the metafile are relative to this.
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  const serverCode = serverInputs(Object.keys(result.metafile.inputs));
  if (serverCode.length) {
    throw new Error(
      `the browser bundle would include server code (${serverCode.join(', ')}): the page may import only src/ui/app and, as types, src/ui/api-types.ts`,
    );
  }
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const place = async (name: string, contents: Uint8Array): Promise<void> => {
    const target = join(outDir, name);
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, contents);
    await rename(temporary, target);
    written.push(name);
  };
  for (const file of result.outputFiles) await place(basename(file.path), file.contents);
  const html = `${join(outDir, 'index.html')}.${randomBytes(6).toString('hex')}.tmp`;
  await copyFile(join(APP, 'index.html'), html);
  await rename(html, join(outDir, 'index.html'));
  written.push('index.html');
  return written.sort();
}

/** The bundle's inputs from this repository's src/ outside the page's folder (paths relative to ROOT). */
export function serverInputs(inputs: readonly string[]): string[] {
  return inputs.filter((path) => path.startsWith('src/') && !path.startsWith('src/ui/app/'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildUiAssets();
  process.stdout.write(`built ${files.join(', ')} into ${UI_ASSETS_OUT}\n`);
}
