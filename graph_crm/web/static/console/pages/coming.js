// A page the console will have: shown in the navigation, saying it is coming.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function renderComing(main, pageId) {
  main.replaceChildren(
    h("h1", { id: "page-title", tabindex: "-1" }, t(`page.${pageId}`)),
    h(
      "div",
      { class: "card" },
      h("p", {}, t("coming.text")),
      h("a", { href: "/graphiql", class: "button" }, t("coming.graphiql")),
    ),
  );
}
