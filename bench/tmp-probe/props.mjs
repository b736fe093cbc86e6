import http from 'node:http';
import express from 'express';
const app = express();
const N = 100000;
function make(proto) { const req = new http.IncomingMessage(null); const res = new http.ServerResponse(req); if (proto) Object.setPrototypeOf(res, app.response); return res; }
function bench(label, proto, fn) {
  const rs = Array.from({ length: N }, () => make(proto));
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(rs[i]);
  console.log(label.padEnd(40), (Number(process.hrtime.bigint() - t) / N).toFixed(0), 'ns/op', '%HasFastProperties' );
}
bench('plain res, 1 prop', false, (r) => { r.a = 1; });
bench('plain res, 5 props', false, (r) => { r.a = 1; r.b = 2; r.c = 3; r.d = 4; r.e = 5; });
bench('express res, 1 prop', true, (r) => { r.a = 1; });
bench('express res, writeHead own', true, (r) => { r.writeHead = null; });
bench('express res, symbol', true, (r) => { r[Symbol.for('x')] = 1; });
bench('express res, 5 props', true, (r) => { r.a = 1; r.b = 2; r.c = 3; r.d = 4; r.e = 5; });
