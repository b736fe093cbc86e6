import http from 'node:http';
import express from 'express';
const app = express();
const N = 100000;
function make() { const req = new http.IncomingMessage(null); const res = new http.ServerResponse(req); Object.setPrototypeOf(res, app.response); res.locals = {}; return res; }
const wm = new WeakMap();
for (const [label, fn] of [
  ['weakmap set', (r, i) => wm.set(r, i)],
  ['symbol prop add', (r, i) => { r[Symbol.for('slot')] = i; }],
]) {
  const rs = Array.from({ length: N }, make);
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(rs[i], i);
  console.log(label.padEnd(20), (Number(process.hrtime.bigint() - t) / N).toFixed(0), 'ns/op');
}
