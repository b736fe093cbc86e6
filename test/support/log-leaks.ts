import { cookieValue } from './http.js';

/** A value that must never appear in logs, with a label for the report. */
export interface Needle {
  readonly label: string;
  readonly value: string;
}

/** Shortest part of a secret that counts as a leak. */
const SECRET_WINDOW = 16;

/**
 * Collects every secret value a test handled (signing secrets, session ids,
 * cookie values and signatures, forged values sent by an attacker) and finds
 * any of them in captured log output.
 */
export class LeakDetector {
  private readonly needles = new Map<string, string>();

  /** A signing secret: the whole of it, and every {@link SECRET_WINDOW}-character part of it. */
  addSecret(label: string, secret: string): void {
    this.add(label, secret);
    for (let at = 0; at + SECRET_WINDOW <= secret.length; at++) {
      this.add(`${label}[${at}..${at + SECRET_WINDOW}]`, secret.slice(at, at + SECRET_WINDOW));
    }
  }

  /**
   * A `name=value` cookie pair, seen in a `Set-Cookie` or sent: its raw and
   * decoded value, and the id and signature inside it.
   */
  addCookie(label: string, pair: string | undefined): void {
    if (!pair) return;
    const raw = cookieValue(pair);
    if (raw.length < 8) return;
    this.add(`${label} cookie`, raw);
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // sent undecodable on purpose: the raw value is the needle
    }
    this.add(`${label} decoded cookie`, decoded);
    const dot = decoded.lastIndexOf('.');
    if (dot > 0) {
      this.add(`${label} id`, decoded.slice(0, dot));
      this.add(`${label} signature`, decoded.slice(dot + 1));
    }
  }

  /** Any other value (at least 8 characters, so that it cannot match by chance). */
  add(label: string, value: string): void {
    if (value.length >= 8) this.needles.set(value, label);
  }

  /** How many distinct values are watched. */
  get size(): number {
    return this.needles.size;
  }

  /** The labels of the watched values that occur in `output` (ANSI colours removed). */
  leaksIn(output: string): string[] {
    const text = stripAnsi(output);
    return [...this.needles]
      .filter(([value]) => text.includes(value))
      .map(([value, label]) => `${label}: ${value}`);
  }
}

/** `text` without ANSI escape sequences (Nest colours its log lines). */
export function stripAnsi(text: string): string {
  const escape = String.fromCharCode(0x1b);
  return text.replace(new RegExp(`${escape}\\[[0-9;]*m`, 'g'), '');
}
