// Fixes to the vendored GraphiQL's markup that axe-core asks for, applied as it renders
// (GraphiQL re-renders often, so a MutationObserver keeps them applied):
// - its CodeMirror text areas get names (the query, variables, headers, response);
// - a tab is its button, not the <li> around it (an <li role="tab"> holding a button
//   nests one control in another);
// - the editors' scroll areas can take the keyboard focus.
"use strict";
window.graphCrmLabelGraphiQL = function (root) {
  var EDITORS = [
    [".graphiql-query-editor", "GraphQL query"],
    [".graphiql-editor-tool .graphiql-editor:not(.hidden):nth-child(1)", "Variables (JSON)"],
    [".graphiql-editor-tool .graphiql-editor:nth-child(2)", "Headers (JSON)"],
    [".graphiql-response", "Response"],
  ];

  function setOnce(element, name, value) {
    if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  }

  function fix() {
    EDITORS.forEach(function (entry) {
      root.querySelectorAll(entry[0] + " textarea").forEach(function (area) {
        setOnce(area, "aria-label", entry[1]);
      });
    });
    root.querySelectorAll("li.graphiql-tab").forEach(function (tab) {
      var button = tab.querySelector("button.graphiql-tab-button");
      if (!button) {
        return;
      }
      if (tab.hasAttribute("aria-selected")) {
        setOnce(button, "aria-selected", tab.getAttribute("aria-selected"));
        tab.removeAttribute("aria-selected");
      }
      setOnce(tab, "role", "presentation");
      setOnce(button, "role", "tab");
    });
    root.querySelectorAll(".CodeMirror-scroll").forEach(function (scroll) {
      setOnce(scroll, "tabindex", "0");
    });
  }

  new MutationObserver(fix).observe(root, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["role", "aria-selected"],
  });
  fix();
};
