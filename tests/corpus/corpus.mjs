// The hostile-input corpus for JavaScript: the cases of index.json with their
// files as bytes (generated ones built from generate.json, the same way as
// tests/unit/unit-corpus.cpp does) and their expectations.
//
//   import { loadCorpus } from '../corpus/corpus.mjs';
//   for (const c of loadCorpus()) c.name, c.note, c.files (= [{name, bytes: Buffer}]), c.expect
//
// `maxRepeat` cuts the repeat counts of generated parts (the fuzzers' seeds
// use 1,000 instead of 10 MB).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const corpusDir = path.dirname(fileURLToPath(import.meta.url));

/** The files of a generate.json spec: parts {text} or {repeat, times, numbered?}. */
export function generateFiles(spec, maxRepeat = Infinity) {
  return spec.files.map((file) => {
    const chunks = file.parts.map((part) => {
      if (part.text !== undefined) return Buffer.from(part.text, 'utf8');
      const times = Math.min(part.times, maxRepeat);
      if (!part.numbered) return Buffer.from(part.repeat.repeat(times), 'utf8');
      const copies = new Array(times);
      for (let i = 0; i < times; ++i) copies[i] = part.repeat + String(i + 1);
      return Buffer.from(copies.join(''), 'utf8');
    });
    return { name: file.name, bytes: Buffer.concat(chunks) };
  });
}

/** Every case of index.json, in order. */
export function loadCorpus({ maxRepeat = Infinity } = {}) {
  const index = JSON.parse(fs.readFileSync(path.join(corpusDir, 'index.json'), 'utf8'));
  return index.cases.map((entry) => {
    const dir = path.join(corpusDir, entry.name);
    const files = (entry.files || []).map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) }));
    if (entry.generate) {
      files.push(...generateFiles(JSON.parse(fs.readFileSync(path.join(dir, entry.generate), 'utf8')), maxRepeat));
    }
    const expect = JSON.parse(fs.readFileSync(path.join(dir, 'expect.json'), 'utf8'));
    return { name: entry.name, note: entry.note, files, expect };
  });
}
