// UI text in English and Simplified Chinese. The choice is remembered in localStorage
// (it is no secret); elements marked data-i18n="key" are retranslated when it changes.
import en from "./i18n/en.js";
import zh from "./i18n/zh.js";

export const LANGUAGE_ITEM = "graph-crm.language";
const DICTIONARIES = { en, zh };
const HTML_LANG = { en: "en", zh: "zh-Hans" };
let current = "en";

function initial() {
  const stored = window.localStorage.getItem(LANGUAGE_ITEM);
  if (stored in DICTIONARIES) {
    return stored;
  }
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function language() {
  return current;
}

/** The text of `key` in the current language, {name} replaced from `values`. */
export function t(key, values = {}) {
  const text = DICTIONARIES[current][key] ?? DICTIONARIES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function translate(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.documentElement.lang = HTML_LANG[current];
}

export function setLanguage(name) {
  current = name in DICTIONARIES ? name : "en";
  window.localStorage.setItem(LANGUAGE_ITEM, current);
  translate();
  document.dispatchEvent(new CustomEvent("languagechange"));
}

current = initial();
