#!/usr/bin/env node
// A tiny static server for dist/site on 127.0.0.1 (loopback only).
//
//   node scripts/serve.mjs [PORT] [DIR]      (defaults: 8080, dist/site; PORT 0 = any free port)
//
// Also importable: startServer({port, dir}) resolves to {server, url}.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves `dir` on 127.0.0.1.
 * @param {{port?: number, dir?: string, log?: (line: string) => void}} [options]
 * @returns {Promise<{server: http.Server, url: string}>}
 */
export function startServer({ port = 8080, dir = path.join(root, 'dist/site'), log = null } = {}) {
  const base = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(base, `.${pathname}`);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    fs.stat(file, (err, stat) => {
      if (log) log(`${req.method} ${req.url} ${err || !stat.isFile() ? 404 : 200}`);
      if (err || !stat.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Content-Length': stat.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = process.argv[2] !== undefined ? Number(process.argv[2]) : 8080;
  const dir = process.argv[3] ? path.resolve(process.argv[3]) : undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node scripts/serve.mjs [PORT] [DIR]');
    process.exit(2);
  }
  startServer({ port, dir }).then(({ url }) => {
    console.log(`Serving ${path.relative(process.cwd(), dir || path.join(root, 'dist/site')) || '.'} at ${url}  (Ctrl+C to stop)`);
  }, (err) => {
    console.error(`serve: ${err.message}`);
    process.exit(1);
  });
}
