// The console's pages, each shown to the roles that hold the permission it is for. The
// server says which permissions the signed-in role holds (viewer.permissions, from
// graph_crm/auth/roles.py): no role table here, and the server still checks every call.
export const PAGES = [
  { id: "schema", needs: "read" },
  { id: "explore", needs: "read" },
  { id: "impact", needs: "impact" },
  { id: "incidents", needs: "impact" },
  { id: "admin", needs: "admin" },
];

export function pagesFor(permissions) {
  return PAGES.filter((page) => permissions.includes(page.needs));
}
