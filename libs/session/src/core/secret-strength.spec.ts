import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { isWeakSecret } from './secret-strength.js';

describe('isWeakSecret', () => {
  it.each([
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    'abcabcabcabcabcabcabcabcabcabcabcabc',
    'password-password-password-password',
    '0123456789012345678901234567890123456789',
    'Qm7Xc2Vb9Nz4Lk8JQm7Xc2Vb9Nz4Lk8JQm7Xc2Vb',
    'CHANGE_ME_TO_A_LONG_RANDOM_STRING_PLEASE',
    'ThisIsMySuperSecretSessionKey1234567890',
    'YOUR_SESSION_SECRET_HERE_0123456789abcdef',
    'replace-with-a-real-secret-of-32-characters',
    'secret_Qm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0Ie',
  ])('%s is weak', (secret) => {
    expect(isWeakSecret(secret)).toBe(true);
  });

  it('random secrets of the usual encodings are not weak', () => {
    for (let i = 0; i < 2_000; i++) {
      for (const secret of [
        randomBytes(48).toString('base64'),
        randomBytes(36).toString('base64url'),
        randomBytes(16).toString('hex'),
      ]) {
        expect({ secret, weak: isWeakSecret(secret) }).toEqual({ secret, weak: false });
      }
    }
  });
});
