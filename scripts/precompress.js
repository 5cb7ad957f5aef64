// Writes .br (quality 11) and .gz (level 9) next to each built asset, so the server sends
// the smallest form without compressing on every request (tower-http ServeDir precompressed).
// Usage: node scripts/precompress.js target/site/pkg
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const dir = process.argv[2] ?? 'target/site/pkg';
for (const name of fs.readdirSync(dir)) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const file = path.join(dir, name);
  const raw = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = zlib.gzipSync(raw, { level: 9 });
  fs.writeFileSync(`${file}.br`, br);
  fs.writeFileSync(`${file}.gz`, gz);
  console.log(`${name}: ${raw.length} B, br ${br.length} B, gzip ${gz.length} B`);
}
