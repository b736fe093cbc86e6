import http from 'node:http';
import { ResponseCommitGate } from '../../libs/session/dist/core/response-commit-gate.js';
import express from 'express';
const app = express();
const participant = { beforeHeaders() { return undefined; }, beforeEnd() { return undefined; }, commitFailed() {} };
function makeRes() {
  const req = new http.IncomingMessage(null);
  const res = new http.ServerResponse(req);
  Object.setPrototypeOf(res, app.response);
  return res;
}
const N = 200000;
const ress = Array.from({ length: N }, makeRes);
let t = process.hrtime.bigint();
for (let i = 0; i < N; i++) new ResponseCommitGate(ress[i], participant);
console.log('gate ctor ns/op', Number(process.hrtime.bigint() - t) / N);
const ress2 = Array.from({ length: N }, makeRes);
t = process.hrtime.bigint();
for (let i = 0; i < N; i++) { const r = ress2[i]; r.foo1 = 1; r.foo2 = 2; r.foo3 = 3; r.foo4 = 4; r.foo5 = 5; }
console.log('5 plain props ns/op', Number(process.hrtime.bigint() - t) / N);
