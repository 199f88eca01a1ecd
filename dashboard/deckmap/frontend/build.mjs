// Builds ../static (index.html, deckmap.js, deckmap.css, THIRD-PARTY-LICENSES.txt) from src/
// with esbuild. Run by `make` (npm ci && npm run build): nothing is fetched at run time.
// The licence file holds the licence text of every npm package whose code is in the bundle,
// found from esbuild's metafile.
import {build} from 'esbuild';
import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync}
  from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'static');
mkdirSync(out, {recursive: true});

const result = await build({
  entryPoints: [join(here, 'src', 'index.js')],
  bundle: true, minify: true, format: 'iife', target: ['chrome109', 'firefox115', 'safari16'],
  outfile: join(out, 'deckmap.js'), metafile: true, legalComments: 'none', logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'src', 'deckmap.css'), join(out, 'deckmap.css'));

// the packages whose files went into the bundle, with their licence texts
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (!m) continue;
  const last = m[m.length - 1];
  const name = last.slice('node_modules/'.length, -1);
  const dir = join(here, input.slice(0, input.lastIndexOf(last) + last.length));
  packages.set(name, dir);
}
const sections = [];
for (const [name, dir] of [...packages].sort()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const files = readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f));
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').trim());
  if (!texts.length) texts.push(`(no licence file in the package; package.json says: ${pkg.license})`);
  sections.push(`${name} ${pkg.version} (${pkg.license || 'see below'})\n\n${texts.join('\n\n')}`);
}
const header = 'Third-party software in deckmap.js (bundled from the npm packages below by ' +
  'dashboard/deckmap/frontend/build.mjs)\n';
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'),
  header + '\n' + sections.join('\n\n' + '-'.repeat(78) + '\n\n') + '\n');
const bytes = readFileSync(join(out, 'deckmap.js')).length;
console.log(`deckmap.js: ${(bytes / 1e6).toFixed(2)} MB, ${packages.size} packages`);
if (!existsSync(join(out, 'index.html'))) process.exit(1);
