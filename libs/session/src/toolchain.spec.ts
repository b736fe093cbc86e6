import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class A { v = 1; }
@Injectable()
class B { constructor(readonly a: A) {} }
@Module({ providers: [A, B] })
class M {}

describe('toolchain', () => {
  it('resolves constructor types', async () => {
    const ref = await Test.createTestingModule({ imports: [M] }).compile();
    expect(ref.get(B).a.v).toBe(1);
  });
});
