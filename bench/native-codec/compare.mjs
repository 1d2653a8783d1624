// The native protocol's hand format against protobuf (@bufbuild/protobuf) on the same result: time to encode and decode, and bytes.
// Run after `node scripts/build.mjs`:
//   mkdir -p bench/native-codec/gen && protoc --plugin=protoc-gen-es=node_modules/.bin/protoc-gen-es --es_out=bench/native-codec/gen --es_opt=target=js,import_extension=js -I bench/native-codec bench/native-codec/rows.proto
//   node bench/native-codec/compare.mjs
import { create, toBinary, fromBinary } from '@bufbuild/protobuf';
import { RowsSchema } from './gen/rows_pb.js';
import { writeRows, readRows, FrameReader } from '../../dist/protocol/native/index.js';

const columns = [
  { name: 'id', type: 'int', nullable: false }, { name: 'k', type: 'int', nullable: false },
  { name: 'c', type: 'char', nullable: false }, { name: 'pad', type: 'char', nullable: true },
];
const kinds = ['i', 'i', 's', 's'];
const rowsOf = (n) => Array.from({ length: n }, (_, i) => [i, i * 7, 'c'.repeat(120), i % 3 ? 'pad'.repeat(20) : null]);

/** Encodes as the server does, decodes as the client does; returns the bytes on the wire. */
function hand(rows) {
  const out = [];
  writeRows((b) => out.push(Buffer.from(b)), 1, 0, columns, rows, 0, 1000, 256 * 1024);
  const bytes = Buffer.concat(out);
  let cols;
  for (const f of new FrameReader(1 << 28).push(bytes)) cols = readRows(f.payload, f.flags, cols).columns;
  return bytes.length;
}

/** The same content as one protobuf message, decoded to the same client values. */
function protobuf(rows) {
  const msg = create(RowsSchema, {
    requestId: 1,
    columns: columns.map((c, i) => ({ name: c.name, type: i, nullable: c.nullable })),
    rows: rows.map((r) => ({ cells: r.map((v, i) => ({ v: v === null ? { case: 'null', value: true } : kinds[i] === 'i' ? { case: 'i', value: BigInt(v) } : { case: 's', value: v } })) })),
  });
  const bytes = toBinary(RowsSchema, msg);
  fromBinary(RowsSchema, bytes).rows.map((r) => r.cells.map((c) => (c.v.case === 'null' ? null : c.v.case === 'i' ? Number(c.v.value) : c.v.value)));
  return bytes.length;
}

for (const [n, iters] of [[1, 20000], [1000, 100]]) {
  const rows = rowsOf(n);
  for (const [name, fn] of [['hand', hand], ['protobuf', protobuf]]) {
    for (let i = 0; i < iters; i++) fn(rows);
    const t0 = process.hrtime.bigint();
    let size = 0;
    for (let i = 0; i < iters; i++) size = fn(rows);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / iters;
    console.log(`${String(n).padStart(4)} rows  ${name.padEnd(8)} ${us.toFixed(1).padStart(8)} µs encode+decode  ${size} bytes`);
  }
}
