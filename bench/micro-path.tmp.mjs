// In-process cost of the session path (middleware, load, commit) on read / change / new requests,
// with Express-style prototype swaps, without sockets' real I/O, Nest routing or HTTP parsing.
import 'reflect-metadata';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import { SessionModule } from '@nest-hive/session';
const dist = '/work/main/libs/session/dist';
const { SessionMiddleware } = await import(`${dist}/session.middleware.js`);
const { requestSessionOf } = await import(`${dist}/core/request-session.lookup.js`);

const ctx = await NestFactory.createApplicationContext(
  SessionModule.forRoot({ secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz' }), { logger: false });
const mw = ctx.get(SessionMiddleware);
const app = express();
const sink = new Socket();
sink.write = (_c, _e, cb) => { if (typeof _e === 'function') _e(); else if (cb) cb(); return true; };
sink._writeGeneric = () => {};
sink.cork = () => {}; sink.uncork = () => {};

function request(cookie, use) {
  const req = new IncomingMessage(sink);
  req.method = 'GET'; req.url = '/bench'; req.headers = cookie ? { cookie } : {};
  const res = new ServerResponse(req);
  res.assignSocket(sink);
  if (use) mw.prepare(req, res);
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  return { req, res };
}
async function once(kind, cookie, useSession) {
  const { req, res } = request(cookie, useSession);
  let body;
  if (useSession) {
    await new Promise((resolve) => mw.handler(req, res, resolve));
    const s = await requestSessionOf(req).load(req);
    if (kind === 'read') body = JSON.stringify({ visits: s.visits ?? 0 });
    else { s.visits = (s.visits ?? 0) + 1; body = JSON.stringify({ visits: s.visits }); }
  } else {
    await Promise.resolve();
    body = JSON.stringify({ visits: 1 });
  }
  res.setHeader('content-type', 'application/json');
  await new Promise((resolve) => { res.end(body, resolve); });
  const headers = res.getHeader('set-cookie');
  res.detachSocket(sink);
  return headers;
}
const first = await once('change', undefined, true);
const cookie = String(first).split(';')[0];
if (!cookie.startsWith('sid=')) throw new Error('no cookie: ' + first);
async function batch(kind, c, use, n) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await once(kind, c, use);
  return Number(process.hrtime.bigint() - t) / n / 1000;
}
const which = process.argv[2] ?? 'all';
const cases = [['read existing', 'read', cookie], ['change existing', 'change', cookie], ['new each request', 'change', undefined]]
  .filter(([, kind, c]) => which === 'all' || which === (c ? kind : 'new'));
for (const [, kind, c] of cases) await batch(kind, c, true, 20000);
await batch('read', cookie, false, 20000);
const costs = cases.map(() => []);
for (let round = 0; round < 15; round++) {
  for (const [i, [, kind, c]] of cases.entries()) {
    const base = await batch('read', cookie, false, 5000);
    const us = await batch(kind, c, true, 5000);
    costs[i].push(us - base);
  }
}
for (const [i, [label]] of cases.entries()) {
  const sorted = costs[i].sort((a, b) => a - b);
  console.log(label.padEnd(18), 'session cost: min', sorted[0].toFixed(2), 'median', sorted[7].toFixed(2), 'µs');
}
await ctx.close();
