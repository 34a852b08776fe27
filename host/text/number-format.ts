// Numbers for people to read (tables, reports, the live view): a few
// significant digits, exponent notation for the very small and very large.
export interface ShortNumberStyle {
  /** Significant digits in plain notation. */
  digits: number;
  /** Digits after the point in exponent notation. */
  exponentDigits: number;
  /** From this magnitude on, exponent notation (as below 1e-3). */
  large: number;
}

/** Tables and HTML reports. */
export const REPORT_NUMBERS: ShortNumberStyle = { digits: 5, exponentDigits: 3, large: 1e6 };
/** The terminal's live view, where columns are narrow. */
export const LIVE_NUMBERS: ShortNumberStyle = { digits: 4, exponentDigits: 2, large: 1e5 };

/** `v` in `style`; NaN and the infinities as JavaScript spells them. */
export function shortNumber(v: number, style: ShortNumberStyle): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= style.large)) return v.toExponential(style.exponentDigits);
  return Number(v.toPrecision(style.digits)).toString();
}

/** A 32-bit id (build id, boot id) as the banner writes it: 8 lowercase hex digits. */
export function hexId(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
