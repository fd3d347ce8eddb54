// Numbers and amounts as the page shows them, in the page's language.
import { language } from "../../i18n.js";

export const number = (value, digits = 0) =>
  new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(value);

export function amount(value, currency) {
  const text = new Intl.NumberFormat(language(), { notation: "compact",
    maximumFractionDigits: 2 }).format(value);
  return currency ? `${currency} ${text}` : text;
}

/** "2026-11-23 09:00 UTC" from the API's ISO time. */
export const utcText = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
