#!/usr/bin/env node
// Builds the page from web/ and the Emscripten build:
//   dist/site/             static files for any web server
//   dist/clinic-report.html one self-contained file (engine, worker, CSS, demo
//                           embedded) that works opened from disk, offline
//
// In both, the page starts its engine worker from a blob: URL, so the worker
// inherits the page's Content-Security-Policy (connect-src 'none'); a worker
// loaded from a URL would take its policy from the HTTP response instead,
// which most servers do not send. Under that policy the worker cannot fetch
// anything, so both builds use the Emscripten glue with the wasm embedded
// (clinic_engine_single.js), and the served demo is a script
// (demo/clinic-demo.js) that the worker loads with importScripts, which
// script-src 'self' allows.
//
//   node scripts/build-web.mjs [--engine-dir build-wasm] [--out dist]
//
// No dependencies. The page's ES modules are bundled into classic scripts by
// a deliberately small bundler: each module runs in its own function scope
// and hands its exports to the modules that import them. It accepts only the
// module syntax web/ uses (single-line `import { a, b } from './x.js';` and
// `export` before a declaration) and fails loudly on anything else.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const webDir = path.join(root, 'web');
const engineDir = path.resolve(root, argValue('--engine-dir', process.env.CLINIC_ENGINE_DIR || 'build-wasm'));
const outDir = path.resolve(root, argValue('--out', 'dist'));
const siteDir = path.join(outDir, 'site');

function fail(message) {
  console.error(`build-web: ${message}`);
  process.exit(1);
}

function read(file) {
  if (!fs.existsSync(file)) fail(`missing ${path.relative(root, file)}`);
  return fs.readFileSync(file, 'utf8');
}

// ---------------------------------------------------------------------------
// The bundler.

const IMPORT_LINE = /^import \{([^}]*)\} from '(\.\/[A-Za-z0-9_-]+\.js)';$/;
const EXPORT_DECL = /^export (?:async )?(?:function\*? |class |const |let )([A-Za-z_$][\w$]*)/;

function parseModule(file) {
  const source = read(file);
  const imports = [];
  const exports = [];
  const body = source.split('\n').map((line, n) => {
    const where = `${path.relative(root, file)}:${n + 1}`;
    if (/^import\b/.test(line)) {
      const m = IMPORT_LINE.exec(line);
      if (!m) fail(`${where}: only single-line "import { a, b } from './x.js';" is supported`);
      const names = m[1].split(',').map((s) => s.trim()).filter(Boolean);
      if (names.some((s) => !/^[A-Za-z_$][\w$]*$/.test(s))) fail(`${where}: import renaming is not supported`);
      imports.push({ names, from: path.resolve(path.dirname(file), m[2]) });
      return '';
    }
    if (/^export\b/.test(line)) {
      const m = EXPORT_DECL.exec(line);
      if (!m) fail(`${where}: only "export" before a declaration is supported`);
      exports.push(m[1]);
      return line.slice('export '.length);
    }
    if (/\bimport\s*\(|\bimport\.meta\b/.test(line)) fail(`${where}: dynamic import / import.meta are not supported`);
    return line;
  }).join('\n');
  return { file, imports, exports, body };
}

/** A classic script running `entry` and, first, everything it imports. */
function bundle(entry) {
  const modules = new Map();
  const order = [];
  const visit = (file, stack) => {
    if (stack.includes(file)) fail(`import cycle: ${[...stack, file].map((f) => path.basename(f)).join(' -> ')}`);
    if (modules.has(file)) return;
    const mod = parseModule(file);
    modules.set(file, mod);
    for (const imp of mod.imports) visit(imp.from, [...stack, file]);
    order.push(mod);
  };
  visit(path.resolve(entry), []);
  const ids = new Map(order.map((m, i) => [m.file, `__module${i}`]));
  const parts = order.map((mod) => {
    for (const imp of mod.imports) {
      const dep = modules.get(imp.from);
      for (const name of imp.names) {
        if (!dep.exports.includes(name)) fail(`${path.basename(mod.file)} imports ${name}, which ${path.basename(dep.file)} does not export`);
      }
    }
    const head = mod.imports.map((imp) => `const { ${imp.names.join(', ')} } = ${ids.get(imp.from)};`).join('\n');
    const name = path.relative(webDir, mod.file);
    return `// ---- ${name}\nconst ${ids.get(mod.file)} = (() => {\n'use strict';\n${head}\n${mod.body}\nreturn { ${mod.exports.join(', ')} };\n})();\n`;
  });
  return `(() => {\n'use strict';\n${parts.join('\n')}})();\n`;
}

// ---------------------------------------------------------------------------
// Inlining into HTML.

/** Script text that cannot end its <script> element early. */
function escapeScript(text) {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON text for a data block: '<' only occurs inside strings, where \u003c means the same. */
function escapeJson(text) {
  return text.replace(/</g, '\\u003c');
}

/**
 * A JavaScript string literal of `text`, in printable ASCII only: the script
 * means the same whatever charset it is read with, and no line terminator
 * (U+2028 and U+2029 included) is left raw. Single quotes, because JSON text
 * is full of double ones.
 */
function jsString(text) {
  const named = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' };
  const hex = (c, digits) => c.charCodeAt(0).toString(16).padStart(digits, '0');
  const escaped = text.replace(/[^ -~]|['\\]/g, (c) => named[c] || (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
  return `'${escaped}'`;
}

function sha256(text) {
  return `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function replaceOnce(html, search, replacement) {
  const i = html.indexOf(search);
  if (i < 0 || html.indexOf(search, i + 1) >= 0) fail(`index.html: expected exactly one ${search}`);
  return html.slice(0, i) + replacement + html.slice(i + search.length);
}

const CSP_META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/;

// ---------------------------------------------------------------------------

function main() {
  const html = read(path.join(webDir, 'index.html'));
  const css = read(path.join(webDir, 'style.css'));
  const appBundle = bundle(path.join(webDir, 'app.js'));
  const workerBundle = bundle(path.join(webDir, 'worker.js'));
  const glueSingle = read(path.join(engineDir, 'clinic_engine_single.js'));
  if (/new Function|\beval\(/.test(glueSingle)) {
    fail('the engine glue generates code at run time (build it with -sDYNAMIC_EXECUTION=0): the page\'s CSP forbids eval');
  }
  let demoFile = path.join(webDir, 'demo/clinic-demo.json');
  if (!fs.existsSync(demoFile)) {
    demoFile = path.join(root, 'tests/fixtures/example-export.json');
    console.warn(`build-web: web/demo/clinic-demo.json is missing; using ${path.relative(root, demoFile)} as the demo`);
  }
  const demoBytes = fs.readFileSync(demoFile);
  const demo = demoBytes.toString('utf8');

  // (a) The served folder.
  fs.rmSync(siteDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(siteDir, 'demo'), { recursive: true });
  const servedCsp = CSP_META.exec(html);
  if (!servedCsp) fail('index.html has no Content-Security-Policy meta tag');
  // The worker is under the page's policy only as a blob: worker (web/app.js).
  const directives = servedCsp[1].split(';').map((d) => d.trim());
  for (const directive of ["connect-src 'none'", 'worker-src blob:']) {
    if (!directives.includes(directive)) fail(`index.html's Content-Security-Policy must have exactly "${directive}"`);
  }
  fs.writeFileSync(path.join(siteDir, 'index.html'), html);
  fs.writeFileSync(path.join(siteDir, 'style.css'), css);
  fs.writeFileSync(path.join(siteDir, 'app.js'), appBundle);
  // The page starts it with importScripts from a blob: worker (web/app.js).
  fs.writeFileSync(path.join(siteDir, 'worker.js'), `${glueSingle}\n${workerBundle}`);
  // The demo as a script for importScripts: the file's exact bytes, one
  // character per byte (web/worker.js copies them out and deletes the global).
  fs.writeFileSync(path.join(siteDir, 'demo/clinic-demo.js'),
    `// The bundled demo export (${path.basename(demoFile)}), one character per byte, for importScripts: see web/worker.js.\n`
    + `self.clinicDemo = ${jsString(demoBytes.toString('latin1'))};\n`);

  // (b) The single file: everything inline, the worker from a Blob URL.
  const appScript = escapeScript(appBundle);
  const style = css;
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(appScript)} 'wasm-unsafe-eval'`,
    'worker-src blob:',
    `style-src ${sha256(style)}`,
    'img-src data:',
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  let single = html.replace(CSP_META, `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
  single = replaceOnce(single, '<link rel="stylesheet" href="style.css">', `<style>${style}</style>`);
  single = replaceOnce(single, '<script src="app.js" defer></script>\n', '');
  const blocks = [
    `<script type="text/plain" id="worker-source">${escapeScript(`${glueSingle}\n${workerBundle}`)}</script>`,
    `<script type="application/json" id="demo-data" data-name="clinic-demo.json">${escapeJson(demo)}</script>`,
    `<script>${appScript}</script>`,
  ].join('\n');
  single = replaceOnce(single, '</body>', `${blocks}\n</body>`);
  fs.writeFileSync(path.join(outDir, 'clinic-report.html'), single);

  const size = (f) => `${(fs.statSync(f).size / 1024).toFixed(0)} KB`;
  console.log(`build-web: ${path.relative(root, siteDir)}/ (app.js ${size(path.join(siteDir, 'app.js'))}, worker.js with the engine ${size(path.join(siteDir, 'worker.js'))}, demo/clinic-demo.js ${size(path.join(siteDir, 'demo/clinic-demo.js'))})`);
  console.log(`build-web: ${path.relative(root, path.join(outDir, 'clinic-report.html'))} (${size(path.join(outDir, 'clinic-report.html'))})`);
}

main();
