// The Explore page (analysts): a list of one type with filters, sort and cursor paging; a
// record with its relations; a neighbourhood graph; a path builder. It only reads, through
// the public GraphQL API; its state is the URL fragment (#/explore?type=Customer&where=...).
import { renderGraph } from "./explore/graph.js";
import { renderList } from "./explore/list.js";
import { loadMeta } from "./explore/meta.js";
import { renderPaths } from "./explore/paths.js";
import { renderRecord } from "./explore/record.js";
import { readState, takeFocus } from "./explore/state.js";

const VIEWS = { list: renderList, record: renderRecord, graph: renderGraph, path: renderPaths };

/** Renders the view the URL names into `main`, unless `current()` says a newer render took over. */
export async function renderExplore(main, current) {
  const state = readState();
  const focusId = takeFocus();
  const meta = await loadMeta();
  if (!current()) {
    return;
  }
  const view = (state.view === "record" || state.view === "graph") && !state.id ? "list" : state.view;
  await (VIEWS[view] ?? renderList)(main, current, meta, state);
  if (current()) {
    // a refused field, else what the action asked for, else the heading (main.js)
    const target = main.querySelector("[aria-invalid='true']") ??
      (focusId ? document.getElementById(focusId) : null);
    target?.setAttribute("data-focus", "");
  }
}
