/**
 * Words that mark a secret copied from documentation, a tutorial or an
 * `.env.example` file. They are looked for in the secret lower-cased with
 * everything but letters and digits removed, so `CHANGE_ME`, `change-me` and
 * `ChangeMe` all match. Each is at least 7 characters long, so a random
 * secret contains one by chance with a probability below one in a billion.
 */
const PLACEHOLDER_WORDS = [
  'keyboardcat',
  'changeme',
  'changethis',
  'changeit',
  'replaceme',
  'replacethis',
  'replacewith',
  'yoursecret',
  'mysecret',
  'supersecret',
  'sessionsecret',
  'secretkey',
  'secrethere',
  'placeholder',
  'example',
  'password',
  'insertyour',
  'goeshere',
  'notasecret',
];

/** A secret that starts with the word "secret" (`secret`, `my-secret`, `my_secret…`). */
const SECRET_PREFIX = /^(my)?[-_ ]?secret/i;

/** Fewest distinct characters a secret must use. */
const MIN_DISTINCT_CHARACTERS = 8;

/** Longest repeating unit looked for (`abcabc…`, `password-password-…`). */
const MAX_REPEATED_UNIT = 16;

/**
 * Whether `secret` is too weak to sign session cookies whatever its length:
 * a documentation placeholder, a short unit repeated (even with a partial
 * last repetition), or very few distinct characters.
 */
export function isWeakSecret(secret: string): boolean {
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) return true;
  if (SECRET_PREFIX.test(secret)) return true;
  const normalized = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDER_WORDS.some((word) => normalized.includes(word))) return true;
  return hasShortPeriod(secret);
}

/** Whether `text` repeats a unit of at most {@link MAX_REPEATED_UNIT} characters from start to end. */
function hasShortPeriod(text: string): boolean {
  for (let unit = 1; unit <= MAX_REPEATED_UNIT && unit < text.length; unit++) {
    if (text.slice(unit) === text.slice(0, text.length - unit)) return true;
  }
  return false;
}
